package nextcloudsim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	testAppID  = "ews_connector"
	testSecret = "s3cret+/with-specials"
)

// fixture is a fake Nextcloud served by httptest.
type fixture struct {
	s  *Server
	ts *httptest.Server
}

func newFixture(t *testing.T, mod func(*Options)) *fixture {
	t.Helper()
	opts := Options{AppID: testAppID, AppSecret: testSecret, AppVersion: "1.0.0"}
	if mod != nil {
		mod(&opts)
	}
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return &fixture{s: s, ts: ts}
}

// appAPI returns AppAPI headers as an ExApp sends them (with OCS-APIRequest).
func appAPI(user string) http.Header {
	h := http.Header{}
	h.Set("EX-APP-ID", testAppID)
	h.Set("EX-APP-VERSION", "1.0.0")
	h.Set("AA-VERSION", "32.0.0")
	h.Set("AUTHORIZATION-APP-API", base64.StdEncoding.EncodeToString([]byte(user+":"+testSecret)))
	h.Set("OCS-APIRequest", "true")
	return h
}

type result struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, method, path string, h http.Header, body string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.ts.URL+path, rd)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// withHeader returns a copy of h with k set to v ("" deletes it).
func withHeader(h http.Header, kv ...string) http.Header {
	c := h.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			c.Del(kv[i])
		} else {
			c.Set(kv[i], kv[i+1])
		}
	}
	return c
}

// ocsEnvelope is the decoded JSON OCS envelope.
type ocsEnvelope struct {
	OCS struct {
		Meta struct {
			Status       string  `json:"status"`
			StatusCode   int     `json:"statuscode"`
			Message      string  `json:"message"`
			TotalItems   *string `json:"totalitems"`
			ItemsPerPage *string `json:"itemsperpage"`
		} `json:"meta"`
		Data json.RawMessage `json:"data"`
	} `json:"ocs"`
}

func decodeOCS(t *testing.T, r result) ocsEnvelope {
	t.Helper()
	var env ocsEnvelope
	if err := json.Unmarshal([]byte(r.body), &env); err != nil {
		t.Fatalf("decode OCS envelope %q: %v", r.body, err)
	}
	return env
}

const testEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261123T120000Z\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

const testCard = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEND:VCARD\r\n"

// serve runs one request through the handler without a network.
func serve(s *Server, method, path string, h http.Header, body string) int {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}
