package appapi

import (
	"errors"
	"net/http"
	"testing"
)

func TestDAVClient(t *testing.T) {
	c, f := newTestClient(t, map[string]func(http.ResponseWriter){
		"PROPFIND /remote.php/dav/calendars/alice/": func(w http.ResponseWriter) { w.WriteHeader(207) },
	})
	if _, err := c.DAV(""); err != ErrNoUser {
		t.Errorf("DAV(\"\") = %v, want ErrNoUser", err)
	}
	d, err := c.DAV("alice")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "PROPFIND", c.DAVURL()+"/calendars/alice/", nil)
	resp, err := d.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 207 {
		t.Errorf("status = %d, want 207", resp.StatusCode)
	}
	got := f.calls[0]
	if got.User != "alice" || got.Header.Get("OCS-APIRequest") != "" {
		t.Errorf("dav call user=%q ocs=%q, want alice and no OCS-APIRequest", got.User, got.Header.Get("OCS-APIRequest"))
	}
	if req.Header.Get(HeaderAuthorization) != "" {
		t.Error("Do modified the caller's request")
	}
	for _, u := range []string{"http://evil.example/remote.php/dav/x", c.BaseURL() + "/ocs/v2.php/cloud/user", c.BaseURL() + "/remote.php/dav/../index.php", c.BaseURL() + "/remote.php/davx"} {
		req, _ := http.NewRequest("GET", u, nil)
		if _, err := d.Do(req); !errors.Is(err, ErrOutsideDAV) {
			t.Errorf("Do(%s) = %v, want ErrOutsideDAV", u, err)
		}
	}
}
