package nextcloudsim

import (
	"strings"
	"testing"
)

func TestOCSEnvelope(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name       string
		path       string
		accept     string
		wantStatus int
		wantBody   string
	}{
		{"v1 json state (0034)", "/ocs/v1.php/apps/app_api/ex-app/state?format=json", "", 200,
			`{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":1}}`},
		{"v2 json state", "/ocs/v2.php/apps/app_api/ex-app/state", "application/json", 200,
			`{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":1}}`},
		{"v1 xml state", "/ocs/v1.php/apps/app_api/ex-app/state", "", 200,
			"<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>100</statuscode>\n  <message>OK</message>\n  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n </meta>\n <data>1</data>\n</ocs>\n"},
		{"v1 unknown route is HTTP 200 with 998", "/ocs/v1.php/apps/nope?format=json", "", 200, `"statuscode":998`},
		{"v2 unknown route is HTTP 404 with 998", "/ocs/v2.php/apps/nope?format=json", "", 404, `"statuscode":998`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := appAPI("")
			if tc.accept != "" {
				h.Set("Accept", tc.accept)
			}
			r := f.do(t, "GET", tc.path, h, "")
			if r.status != tc.wantStatus || !strings.Contains(r.body, tc.wantBody) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tc.path, r.status, r.body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestOCSFailureStatusV1V2(t *testing.T) {
	f := newFixture(t, nil)
	body := `{"level": 9, "message": "x"}`
	r1 := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/log?format=json", appAPI(""), body)
	if env := decodeOCS(t, r1); r1.status != 200 || env.OCS.Meta.StatusCode != 400 || env.OCS.Meta.Status != "failure" {
		t.Errorf("v1 invalid log level = %d %s, want HTTP 200 statuscode 400", r1.status, r1.body)
	}
	r2 := f.do(t, "POST", "/ocs/v2.php/apps/app_api/api/v1/log?format=json", appAPI(""), body)
	if env := decodeOCS(t, r2); r2.status != 400 || env.OCS.Meta.StatusCode != 400 {
		t.Errorf("v2 invalid log level = %d %s, want HTTP 400 statuscode 400", r2.status, r2.body)
	}
	r3 := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/log?format=json", appAPI(""), `{"level": 2, "message": "hello"}`)
	if r3.body != `{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":[]}}` {
		t.Errorf("log (0036) = %s", r3.body)
	}
	if logs := f.s.Logs(); len(logs) != 1 || logs[0].Level != 2 || logs[0].Message != "hello" {
		t.Errorf("Logs() = %+v, want one level 2 hello", logs)
	}
	r4 := f.do(t, "POST", "/ocs/v1.php/apps/app_api/api/v1/events_listener?format=json", appAPI(""), `{"eventType":"node_event"}`)
	if env := decodeOCS(t, r4); r4.status != 200 || env.OCS.Meta.StatusCode != 996 {
		t.Errorf("events_listener (0090) = %d %s, want 200 with 996", r4.status, r4.body)
	}
}
