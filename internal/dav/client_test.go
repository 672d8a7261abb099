package dav

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestNewClient(t *testing.T) {
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"https://cloud.example/remote.php/dav", true},
		{"https://cloud.example/remote.php/dav/", true},
		{"http://127.0.0.1:5232/", true},
		{"https://alice:hunter2@cloud.example/remote.php/dav", false},
		{"https://cloud.example/remote.php/dav?token=x", false},
		{"ftp://cloud.example/", false},
		{"/remote.php/dav", false},
	}
	for _, tc := range tests {
		t.Run(tc.endpoint, func(t *testing.T) {
			_, err := NewClient(nil, tc.endpoint, nil)
			if (err == nil) != tc.ok {
				t.Fatalf("NewClient(%q) = %v, want ok=%v", tc.endpoint, err, tc.ok)
			}
			if err != nil && (strings.Contains(err.Error(), "hunter2") || !strings.HasPrefix(err.Error(), "dav: ")) {
				t.Errorf("NewClient(%q) error %q leaks credentials or lacks the prefix", tc.endpoint, err)
			}
		})
	}
}

func TestClientURL(t *testing.T) {
	c, err := NewClient(nil, "https://cloud.example/remote.php/dav/", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		href, want string
		outside    bool
	}{
		{"/remote.php/dav/calendars/alice/personal/", "https://cloud.example/remote.php/dav/calendars/alice/personal/", false},
		{"/remote.php/dav/calendars/alice/personal/a b#c?.ics", "https://cloud.example/remote.php/dav/calendars/alice/personal/a%20b%23c%3F.ics", false},
		{"/remote.php/dav/", "https://cloud.example/remote.php/dav/", false},
		{"/remote.php/dav/../../index.php", "", true},
		{"/remote.php/davx/", "", true},
		{"/ocs/v2.php/cloud/user", "", true},
		{"relative.ics", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.href, func(t *testing.T) {
			u, err := c.url(tc.href)
			if tc.outside {
				if err == nil {
					t.Fatalf("url(%q) = %s, want an error", tc.href, u)
				}
				return
			}
			if err != nil || u.String() != tc.want {
				t.Fatalf("url(%q) = %v, %v; want %s", tc.href, u, err, tc.want)
			}
		})
	}
}

func TestCleanHref(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/remote.php/dav/calendars/alice/personal/a%20b.ics", "/remote.php/dav/calendars/alice/personal/a b.ics"},
		{"http://127.0.0.1:8080/remote.php/dav/x/", "/remote.php/dav/x/"},
		{"  /a/b/\n", "/a/b/"},
	}
	for _, tc := range tests {
		if got, err := cleanHref(tc.in); err != nil || got != tc.want {
			t.Errorf("cleanHref(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := cleanHref("relative"); err == nil {
		t.Errorf("cleanHref(relative) = nil error, want one")
	}
}

func TestHTTPError(t *testing.T) {
	cond := &Condition{Names: nil, Message: "gone"}
	tests := []struct {
		name                    string
		err                     error
		notFound, precond, sync bool
		text                    string
	}{
		{"404", &HTTPError{Method: "GET", Href: "/a.ics", Code: 404, Err: cond}, true, false, false, "dav: GET /a.ics: 404 Not Found: gone"},
		{"410", &HTTPError{Code: 410}, true, false, false, "dav: 410 Gone"},
		{"412 wrapped", errors.Join(errors.New("x"), &HTTPError{Method: "PUT", Href: "/a.ics", Code: 412}), false, true, false, "412 Precondition Failed"},
		{"403 sync", &HTTPError{Code: 403, Err: &Condition{Names: nameList(nsDAV, "valid-sync-token")}}, false, false, true, "valid-sync-token"},
		{"409 sync", &HTTPError{Code: 409, Err: &Condition{Names: nameList(nsDAV, "valid-sync-token")}}, false, false, true, "409 Conflict"},
		{"400 sync condition", &HTTPError{Code: 400, Err: &Condition{Names: nameList(nsDAV, "valid-sync-token")}}, false, false, false, "400"},
		{"other ns", &HTTPError{Code: 403, Err: &Condition{Names: nameList("urn:x", "valid-sync-token")}}, false, false, false, "403"},
		{"plain", errors.New("boom"), false, false, false, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsNotFound(tc.err); got != tc.notFound {
				t.Errorf("IsNotFound(%v) = %v, want %v", tc.err, got, tc.notFound)
			}
			if got := IsPreconditionFailed(tc.err); got != tc.precond {
				t.Errorf("IsPreconditionFailed(%v) = %v, want %v", tc.err, got, tc.precond)
			}
			if got := IsInvalidSyncToken(tc.err); got != tc.sync {
				t.Errorf("IsInvalidSyncToken(%v) = %v, want %v", tc.err, got, tc.sync)
			}
			if !strings.Contains(tc.err.Error(), tc.text) {
				t.Errorf("Error() = %q, want it to contain %q", tc.err.Error(), tc.text)
			}
		})
	}
	var he *HTTPError
	if e := (&HTTPError{Code: 404, Err: cond}); !errors.As(e, &he) || errors.Unwrap(e) != cond {
		t.Errorf("HTTPError.Unwrap() = %v, want the condition", errors.Unwrap(e))
	}
}

func nameList(space, local string) []xml.Name { return []xml.Name{{Space: space, Local: local}} }

// Credentials live in the HTTPClient; neither errors nor the request line carry them.
func TestNoCredentialsInErrors(t *testing.T) {
	_, c := newScripted(t, func(w http.ResponseWriter, r *http.Request, _ int, _ string) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte("No 'Authorization: Basic' header found"))
	})
	c.hc = basicAuth{next: c.hc, user: "alice", pass: "s3cret-pass"}
	_, err := c.Get(testContext(t), "/dav/cal/a.ics")
	if HTTPCode(err) != http.StatusUnauthorized {
		t.Fatalf("Get() = %v, want 401", err)
	}
	if strings.Contains(err.Error(), "s3cret-pass") || strings.Contains(err.Error(), "YWxpY2") {
		t.Errorf("Get() error %q carries credentials", err)
	}
}

type basicAuth struct {
	next       HTTPClient
	user, pass string
}

func (b basicAuth) Do(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(b.user, b.pass)
	return b.next.Do(r)
}
