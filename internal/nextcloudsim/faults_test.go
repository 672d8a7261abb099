package nextcloudsim

import (
	"net/http"
	"testing"
)

func TestFaults(t *testing.T) {
	f := newFixture(t, nil)
	n := 0
	f.s.SetFaults(func(r *http.Request) int {
		n++
		switch n {
		case 1:
			return http.StatusServiceUnavailable
		case 2:
			return FaultDrop
		}
		return 0
	})
	h := appAPI("alice")
	r := f.do(t, "GET", "/ocs/v1.php/apps/app_api/ex-app/state", h, "")
	if r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Errorf("first request = %d, want 503 with Retry-After", r.status)
	}
	// POST: Go's client would transparently retry a dropped idempotent GET.
	req, _ := http.NewRequest("POST", f.ts.URL+"/ocs/v1.php/apps/app_api/api/v1/log", nil)
	if resp, err := f.ts.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped request answered %d, want a transport error", resp.StatusCode)
	}
	if r := f.do(t, "GET", "/ocs/v1.php/apps/app_api/ex-app/state", h, ""); r.status != 200 {
		t.Errorf("third request = %d, want 200", r.status)
	}
	f.s.SetFaults(nil)
}
