package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// fakeResolver answers from a table; there is no DNS in tests.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	list, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range list {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

var names = fakeResolver{
	"loop.example":     {"127.0.0.1"},
	"loop6.example":    {"::1"},
	"meta.example":     {"169.254.169.254"},
	"mixed.example":    {"93.184.216.34", "10.0.0.5"},
	"mail.example.com": {"93.184.216.34"},
	"internal.corp":    {"10.1.2.3"},
	"localhost":        {"127.0.0.1", "::1"},
}

func TestResolve(t *testing.T) {
	tests := []struct {
		host   string
		policy Policy
		ok     bool
	}{
		{"127.0.0.1", Policy{}, false},
		{"[::1]", Policy{}, false},
		{"::1", Policy{}, false},
		{"169.254.169.254", Policy{}, false},
		{"loop.example", Policy{}, false},
		{"loop6.example", Policy{}, false},
		{"meta.example", Policy{}, false},
		{"localhost", Policy{}, false},
		{"mixed.example", Policy{}, false},
		{"10.0.0.1", Policy{}, false},
		{"172.16.5.4", Policy{}, false},
		{"192.168.1.1", Policy{}, false},
		{"100.64.0.1", Policy{}, false},
		{"fd12::1", Policy{}, false},
		{"fe80::1", Policy{}, false},
		{"224.0.0.1", Policy{}, false},
		{"0.0.0.0", Policy{}, false},
		{"::ffff:127.0.0.1", Policy{}, false},
		{"64:ff9b::a00:1", Policy{}, false},
		{"metadata.google.internal", Policy{}, false},
		{"mail.example.com", Policy{}, true},
		{"93.184.216.34", Policy{}, true},
		{"2606:2800:220:1::1", Policy{}, true},
		// Allow-listed: admitted even though internal.
		{"127.0.0.1", Policy{Allow: []string{"127.0.0.1"}}, true},
		{"[::1]", Policy{Allow: []string{"::1"}}, true},
		{"loop.example", Policy{Allow: []string{"loop.example"}}, true},
		{"loop.example", Policy{Allow: []string{"127.0.0.0/8"}}, true},
		{"meta.example", Policy{Allow: []string{"169.254.169.254/32"}}, true},
		{"internal.corp", Policy{Allow: []string{"*.corp"}}, true},
		{"internal.corp", Policy{Allow: []string{"10.0.0.0/8"}}, true},
		// A non-empty allow-list admits nothing else.
		{"mail.example.com", Policy{Allow: []string{"internal.corp"}}, false},
		{"loop6.example", Policy{Allow: []string{"loop.example"}}, false},
		// Deny wins.
		{"mail.example.com", Policy{Deny: []string{"mail.example.com"}}, false},
		{"mail.example.com", Policy{Deny: []string{".example.com"}}, false},
		{"mail.example.com", Policy{Deny: []string{"93.184.0.0/16"}}, false},
		{"loop.example", Policy{Allow: []string{"loop.example"}, Deny: []string{"127.0.0.1"}}, false},
		{"unknown.example", Policy{}, false},
		// Trusted: admitted without restricting other hosts.
		{"127.0.0.1", Policy{Trusted: []string{"127.0.0.1"}}, true},
		{"mail.example.com", Policy{Trusted: []string{"127.0.0.1"}}, true},
		{"loop6.example", Policy{Trusted: []string{"127.0.0.1"}}, false},
		{"127.0.0.1", Policy{Trusted: []string{"127.0.0.1"}, Deny: []string{"127.0.0.0/8"}}, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v", tt.host, tt.policy), func(t *testing.T) {
			g := New(tt.policy, &Options{Resolver: names})
			_, err := g.Resolve(context.Background(), tt.host)
			if (err == nil) != tt.ok {
				t.Fatalf("Resolve(%q) = %v, want ok=%v", tt.host, err, tt.ok)
			}
			if err != nil && tt.host != "unknown.example" && !IsBlocked(err) {
				t.Fatalf("Resolve(%q) = %v, want IsBlocked", tt.host, err)
			}
		})
	}
}

// TestHTTPClientRefusesInternal dials a real loopback server: refused by
// default, by IP and by a name resolving to it, on redirects too, and
// allowed only when allow-listed.
func TestHTTPClientRefusesInternal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	get := func(g *Guard, url string) error {
		resp, err := g.HTTPClient(TransportOptions{}).Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	byIP := "http://127.0.0.1:" + port + "/"
	byName := "http://loop.example:" + port + "/"
	deny := New(Policy{}, &Options{Resolver: names})
	for _, u := range []string{byIP, byName} {
		if err := get(deny, u); !IsBlocked(err) {
			t.Errorf("GET %s = %v, want blocked", u, err)
		}
	}
	allow := New(Policy{Allow: []string{"loop.example"}}, &Options{Resolver: names})
	if err := get(allow, byName); err != nil {
		t.Errorf("GET %s with loop.example allow-listed = %v, want ok", byName, err)
	}
	if err := get(allow, byIP); !IsBlocked(err) {
		t.Errorf("GET %s with only loop.example allow-listed = %v, want blocked", byIP, err)
	}
	// The policy changes at run time; a redirect to an internal host is refused.
	allow.SetPolicy(Policy{Allow: []string{"127.0.0.1"}})
	if err := get(allow, byIP); err != nil {
		t.Errorf("GET %s with 127.0.0.1 allow-listed = %v", byIP, err)
	}
	redir := "http://127.0.0.1:" + port + "/redirect?to=" + "http://loop6.example:" + port + "/"
	if err := get(allow, redir); !IsBlocked(err) {
		t.Errorf("GET redirect to loop6.example = %v, want blocked", err)
	}
	var be *BlockedError
	err := get(deny, byIP)
	if !errors.As(err, &be) || be.Reason != "loopback address" {
		t.Errorf("GET %s error = %v, want BlockedError loopback", byIP, err)
	}
}

func TestCheckURL(t *testing.T) {
	g := New(Policy{}, &Options{Resolver: names})
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://mail.example.com/EWS/Exchange.asmx", true},
		{"https://169.254.169.254/latest/meta-data", false},
		{"ftp://mail.example.com/", false},
		{"https://user:pw@mail.example.com/", false},
		{"https://meta.example/EWS/Exchange.asmx", false},
	} {
		if err := g.CheckURL(context.Background(), tt.url); (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestControlRefusesDirectDial(t *testing.T) {
	g := New(Policy{}, &Options{Resolver: names})
	// The dialer's ControlContext hook checks the connected address itself.
	_, err := g.dialer.DialContext(context.Background(), "tcp", "127.0.0.1:9")
	if !IsBlocked(err) {
		t.Fatalf("dialer.DialContext(127.0.0.1:9) = %v, want blocked by the Control hook", err)
	}
}
