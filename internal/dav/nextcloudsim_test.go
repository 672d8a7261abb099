package dav

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
)

// The fake Nextcloud (internal/nextcloudsim) is the second backend of the suite. Requests carry
// the AppAPI headers, signed by internal/appapi's DAVClient exactly as in production.
func init() {
	backends = append(backends, backend{name: "nextcloudsim", client: nextcloudClient})
}

const (
	ncAppID      = "ews_connector"
	ncAppVersion = "1.0.0"
	ncSecret     = "dav-test-secret-0123456789"
)

var (
	ncOnce   sync.Once
	ncServer *httptest.Server
	ncSim    *nextcloudsim.Server
)

func stopNextcloud() {
	if ncServer != nil {
		ncServer.Close()
		ncSim.Close()
	}
}

// nextcloudClient returns a Client acting as alice on the shared fake Nextcloud.
func nextcloudClient(t *testing.T) *Client {
	t.Helper()
	ncOnce.Do(func() {
		ncSim = nextcloudsim.New(nextcloudsim.Options{AppID: ncAppID, AppVersion: ncAppVersion, AppSecret: ncSecret})
		ncServer = httptest.NewServer(ncSim)
	})
	ac, err := appapi.NewClient(&http.Client{Timeout: 30 * time.Second}, appapi.Options{
		NextcloudURL: ncServer.URL, AppID: ncAppID, AppVersion: ncAppVersion, Secret: ncSecret,
	})
	if err != nil {
		t.Fatalf("appapi.NewClient() = %v", err)
	}
	dc, err := ac.DAV("alice")
	if err != nil {
		t.Fatalf("appapi.Client.DAV(alice) = %v", err)
	}
	c, err := NewClient(dc, ac.DAVURL(), nil)
	if err != nil {
		t.Fatalf("NewClient(%q) = %v", ac.DAVURL(), err)
	}
	return c
}
