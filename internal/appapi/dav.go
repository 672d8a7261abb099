package appapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// DAVPath is the root of Nextcloud's WebDAV, CalDAV and CardDAV endpoints.
const DAVPath = "/remote.php/dav"

// ErrOutsideDAV means a DAV request was aimed outside NEXTCLOUD_URL/remote.php/dav; the client refuses
// it so the AppAPI secret never leaves for another host or path.
var ErrOutsideDAV = errors.New("appapi: dav: request outside the nextcloud dav root")

// DAVURL returns the absolute URL of /remote.php/dav.
func (c *Client) DAVURL() string { return c.base.String() + DAVPath }

// DAVClient is an HTTP client for /remote.php/dav that signs every request as one user with the AppAPI
// headers (AppAPI's Sabre auth backend, lib/DavPlugin.php). It satisfies go-webdav's HTTPClient.
type DAVClient struct {
	c    *Client
	user string
}

// DAV returns a DAVClient acting as user. DAV needs a real user: Nextcloud answers 401 to an empty one.
func (c *Client) DAV(user string) (*DAVClient, error) {
	if user == "" {
		return nil, ErrNoUser
	}
	return &DAVClient{c: c, user: user}, nil
}

// User returns the user the client acts as.
func (d *DAVClient) User() string { return d.user }

// Do signs req (a clone; the caller's request is not modified) and sends it. OCS-APIRequest is not
// needed on DAV and is not sent.
func (d *DAVClient) Do(req *http.Request) (*http.Response, error) {
	base := d.c.base
	if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host ||
		!(req.URL.Path == base.Path+DAVPath || strings.HasPrefix(req.URL.Path, base.Path+DAVPath+"/")) ||
		strings.Contains(req.URL.Path+"/", "/../") {
		return nil, fmt.Errorf("%w: %s", ErrOutsideDAV, req.URL.Redacted())
	}
	r := req.Clone(req.Context())
	d.c.sign(req.Context(), r.Header, d.user)
	return d.c.hc.Do(r)
}
