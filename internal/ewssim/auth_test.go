package ewssim

import (
	"io"
	"net/http"
	"strings"
	"testing"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

func ntlmPost(t *testing.T, url, user, pass string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Transport: ntlmssp.Negotiator{RoundTripper: &http.Transport{MaxIdleConnsPerHost: 1}}}
	req, _ := http.NewRequest(http.MethodPost, url+"/EWS/Exchange.asmx", strings.NewReader(soapHead+`<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>`+soapTail))
	req.SetBasicAuth(user, pass)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestNTLMHandshake(t *testing.T) {
	s := New(Options{Users: []User{{Name: `CONTOSO\carol`, Password: "Pa55w0rd!"}}, DisableBasic: true})
	r := s.Start(listen(t))
	defer r.Close()
	tests := []struct {
		name, user, pass string
		want             int
	}{
		{"domain user", `CONTOSO\carol`, "Pa55w0rd!", http.StatusOK},
		{"upn form", `carol@example.com`, "Pa55w0rd!", http.StatusOK},
		{"wrong password", `CONTOSO\carol`, "wrong", http.StatusUnauthorized},
		{"unknown user", `CONTOSO\mallory`, "Pa55w0rd!", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := ntlmPost(t, r.URL, tt.user, tt.pass)
			if resp.StatusCode != tt.want {
				t.Fatalf("NTLM %s: status %d, want %d", tt.user, resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusOK && !strings.Contains(body, "<t:DisplayName>Calendar</t:DisplayName>") {
				t.Fatalf("NTLM %s: body lacks the calendar folder: %s", tt.user, body)
			}
		})
	}
	if got := s.Count("GetFolder"); got != 2 {
		t.Fatalf("Count(GetFolder) = %d, want 2", got)
	}
}

func TestUnauthorizedOffersSchemes(t *testing.T) {
	_, ts := testServer(t)
	resp, err := http.Post(ts.URL+"/EWS/Exchange.asmx", "text/xml", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := strings.Join(resp.Header.Values("WWW-Authenticate"), ",")
	if resp.StatusCode != 401 || !strings.Contains(got, "NTLM") || !strings.Contains(got, "Basic") {
		t.Fatalf("401 WWW-Authenticate = %q (status %d), want NTLM and Basic", got, resp.StatusCode)
	}
	if st, _ := callAs(t, ts, "alice", "nope", "<m:GetFolder/>"); st != 401 {
		t.Fatalf("wrong Basic password: status %d, want 401", st)
	}
}
