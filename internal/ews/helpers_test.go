package ews

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/reference"
)

// fakeClock is an injectable clock whose Sleep advances time at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return ctx.Err()
}

// request is one request the fake server received.
type request struct {
	op     string
	body   string
	header http.Header
}

// fakeEWS is an httptest server answering with handler(op, body).
type fakeEWS struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
}

func newFakeEWS(t testing.TB, handler func(w http.ResponseWriter, op, body string)) *fakeEWS {
	t.Helper()
	f := &fakeEWS{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		op := opOf(string(b))
		f.mu.Lock()
		f.requests = append(f.requests, request{op: op, body: string(b), header: r.Header.Clone()})
		f.mu.Unlock()
		handler(w, op, string(b))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEWS) reqs() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// opOf returns the local name of the request's body element.
func opOf(body string) string {
	d := xml.NewDecoder(strings.NewReader(body))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			if inBody {
				return se.Name.Local
			}
			inBody = se.Name.Local == "Body"
		}
	}
}

// envelope wraps a body in a SOAP envelope with an Exchange 2019 header.
func envelope(body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1748" MinorBuildNumber="10" Version="V2017_07_11" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

// response builds an operation response with the given response messages.
func response(op string, msgs ...string) string {
	return envelope(`<m:` + op + `Response xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>` + strings.Join(msgs, "") + `</m:ResponseMessages></m:` + op + `Response>`)
}

// ok builds a success response message of op with inner content.
func ok(op, inner string) string {
	return `<m:` + op + `ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>` + inner + `</m:` + op + `ResponseMessage>`
}

// fail builds an error response message of op.
func fail(op, code, extra string) string {
	return fmt.Sprintf(`<m:%sResponseMessage ResponseClass="Error"><m:MessageText>%s happened</m:MessageText><m:ResponseCode>%s</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>%s</m:%sResponseMessage>`, op, code, code, extra, op)
}

func busyFault(ms int) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode><faultstring xml:lang="en-US">The server cannot service this request right now.</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">Try again later.</e:Message><t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:Value Name="BackOffMilliseconds">%d</t:Value></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>`, ms)
}

func newTestClient(t *testing.T, url string, o *Options) *Client {
	t.Helper()
	if o == nil {
		o = &Options{}
	}
	if o.Auth == "" {
		o.Auth = AuthBasic
		o.Username, o.Password = "user", "secret"
	}
	c, err := NewClient(url, o)
	if err != nil {
		t.Fatalf("NewClient() error = %v", err)
	}
	return c
}

// shared finds ../shared beside the repository root, or $EWS_SHARED_DIR.
func shared(t testing.TB) string {
	t.Helper()
	return reference.Require(t, "ews-schema", "..")
}

// validate checks request bodies against ews-envelope.xsd with xmllint.
func validate(t *testing.T, bodies map[string]string) {
	t.Helper()
	xsd := filepath.Join(shared(t), "ews-schema", "ews-envelope.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	dir := t.TempDir()
	var files []string
	for name, body := range bodies {
		f := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out, err := exec.Command("xmllint", append([]string{"--noout", "--schema", xsd}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}
