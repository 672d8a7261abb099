package autodiscover

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func settings(ewsURL string) string {
	return `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><User><DisplayName>Alice</DisplayName></User><Account><AccountType>email</AccountType><Action>settings</Action>` +
		`<Protocol><Type>WEB</Type></Protocol><Protocol><Type>EXPR</Type><EwsUrl>https://external.example.com/EWS/Exchange.asmx</EwsUrl></Protocol><Protocol><Type>EXCH</Type><EwsUrl>` + ewsURL + `</EwsUrl></Protocol></Account></Response></Autodiscover>`
}

const redirectAddr = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>alice@other.example.org</RedirectAddr></Account></Response></Autodiscover>`

// newFinder serves every host name from handler (a TLS test server, any certificate accepted) and
// records the requests as "METHOD host/path".
func newFinder(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) (*Finder, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.Host+r.URL.Path)
		handler(w, r)
	}))
	srv.StartTLS()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" http://"+r.Host+r.URL.Path)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(plain.Close)
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			target := srv.Listener.Addr().String()
			if strings.HasSuffix(addr, ":80") {
				target = plain.Listener.Addr().String()
			}
			return (&net.Dialer{}).DialContext(ctx, network, target)
		},
	}
	return &Finder{HTTP: &http.Client{Transport: tr},
		LookupSRV: func(context.Context, string, string, string) (string, []*net.SRV, error) {
			return "", nil, errors.New("no SRV record")
		}}, &seen
}

func TestFind(t *testing.T) {
	const ews = "https://mail.example.com/EWS/Exchange.asmx"
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		srv     []*net.SRV
		want    string
		wantErr error
	}{
		{"domain answers", func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "pw" {
				w.WriteHeader(401)
				return
			}
			body, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(body), "<EMailAddress>alice@example.com</EMailAddress>") {
				w.WriteHeader(400)
				return
			}
			io.WriteString(w, settings(ews))
		}, nil, ews, nil},
		{"autodiscover host answers", func(w http.ResponseWriter, r *http.Request) {
			if r.Host != "autodiscover.example.com" {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, settings(ews))
		}, nil, ews, nil},
		{"http redirect to https", func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.TLS == nil && r.Method == "GET":
				http.Redirect(w, r, "https://redirected.example.net/autodiscover/autodiscover.xml", http.StatusFound)
			case r.Host == "redirected.example.net":
				io.WriteString(w, settings(ews))
			default:
				http.NotFound(w, r)
			}
		}, nil, ews, nil},
		{"SRV record", func(w http.ResponseWriter, r *http.Request) {
			if r.Host != "srv.example.net" {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, settings(ews))
		}, []*net.SRV{{Target: "srv.example.net.", Port: 443}}, ews, nil},
		{"redirectAddr", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), "alice@other.example.org") {
				io.WriteString(w, settings("https://other.example.org/EWS/Exchange.asmx"))
				return
			}
			io.WriteString(w, redirectAddr)
		}, nil, "https://other.example.org/EWS/Exchange.asmx", nil},
		{"wrong password", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }, nil, "", ErrAuth},
		{"nothing", http.NotFound, nil, "", ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, seen := newFinder(t, tc.handler)
			if tc.srv != nil {
				f.LookupSRV = func(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
					if service != "autodiscover" || proto != "tcp" || name != "example.com" {
						return "", nil, fmt.Errorf("unexpected SRV lookup %s %s %s", service, proto, name)
					}
					return "", tc.srv, nil
				}
			}
			got, err := f.Find(context.Background(), "alice@example.com", "alice", "pw")
			if got != tc.want || !errors.Is(err, tc.wantErr) {
				t.Errorf("Find() = %q, %v; want %q, %v (requests %v)", got, err, tc.want, tc.wantErr, *seen)
			}
		})
	}
}

func TestFindOrderAndGuard(t *testing.T) {
	f, seen := newFinder(t, http.NotFound)
	_, err := f.Find(context.Background(), "bob@example.com", "", "pw")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find() = %v, want ErrNotFound", err)
	}
	want := "POST example.com/autodiscover/autodiscover.xml,POST autodiscover.example.com/autodiscover/autodiscover.xml,GET http://autodiscover.example.com/autodiscover/autodiscover.xml"
	if got := strings.Join(*seen, ","); got != want {
		t.Errorf("requests = %s, want %s", got, want)
	}
	*seen = nil
	f.Check = func(context.Context, string) error { return errors.New("not allowed") }
	if _, err := f.Find(context.Background(), "bob@example.com", "", "pw"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(all refused) = %v, want ErrNotFound", err)
	}
	if len(*seen) != 0 {
		t.Errorf("refused URLs were contacted: %v", *seen)
	}
	if _, err := f.Find(context.Background(), "no-domain", "", "pw"); !errors.Is(err, ErrBadAddress) {
		t.Errorf("Find(no-domain) = %v, want ErrBadAddress", err)
	}
}

func TestParsePrefersInternal(t *testing.T) {
	p, err := parse([]byte(settings("https://internal.example.com/EWS/Exchange.asmx")))
	if err != nil || p.EwsURL != "https://internal.example.com/EWS/Exchange.asmx" {
		t.Errorf("parse() = %+v, %v; want the EXCH EwsUrl", p, err)
	}
	if _, err := parse([]byte("<html>")); err == nil {
		t.Error("parse(html) = nil error")
	}
}
