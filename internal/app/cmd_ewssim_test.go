package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// simOutput is a goroutine-safe bytes.Buffer for command output.
type simOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *simOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *simOutput) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestCmdEWSSimServesSeededMailbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut simOutput
	done := make(chan error, 1)
	go func() {
		done <- cmdEWSSim(ctx, []string{"--listen", "127.0.0.1:0", "--seed", "demo", "--user", "alice:secret"}, Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
	}()
	var url string
	for i := 0; i < 100 && url == ""; i++ {
		time.Sleep(20 * time.Millisecond)
		if s := out.String(); strings.Contains(s, "/EWS/Exchange.asmx") {
			f := strings.Fields(s)
			for _, w := range f {
				if strings.HasPrefix(w, "http://") {
					url = strings.TrimSuffix(w, ",")
				}
			}
		}
	}
	if url == "" {
		t.Fatalf("ews-sim did not start: %s %s", out.String(), errOut.String())
	}
	body := `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="contacts"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.SetBasicAuth("alice", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(data), "<t:TotalCount>6</t:TotalCount>") {
		t.Fatalf("GetFolder contacts = %d %s, want 200 with 6 demo contacts", resp.StatusCode, data)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("cmdEWSSim = %v", err)
	}
	if strings.Contains(errOut.String(), "secret") {
		t.Fatalf("the password leaked into the log")
	}
}

func TestCmdEWSSimUsage(t *testing.T) {
	err := cmdEWSSim(context.Background(), []string{"--listen", "127.0.0.1:0"}, Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("cmdEWSSim without --user = %v, want ErrUsage", err)
	}
}
