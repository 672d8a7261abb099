package ewssim

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

const getCalendar = `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>`

func TestFaultSwitches(t *testing.T) {
	s, ts := testServer(t)
	f := s.Faults()

	f.ThrottleNext(1, 1500*time.Millisecond)
	st, resp := call(t, ts, getCalendar)
	if st != 500 || strings.TrimSpace(find(resp, "ResponseCode").Text) != "ErrorServerBusy" || find(resp, "Value").Text != "1500" {
		t.Fatalf("ThrottleNext: status %d, want 500 ErrorServerBusy BackOffMilliseconds=1500", st)
	}
	if st, _ := call(t, ts, getCalendar); st != 200 {
		t.Fatalf("after one throttled request: status %d, want 200", st)
	}

	f.ThrottleNextInMessage(1, 250*time.Millisecond)
	st, resp = call(t, ts, getCalendar)
	wantCodes(t, resp, "ErrorServerBusy")
	if st != 200 || find(resp, "Value").attr("Name") != "BackOffMilliseconds" || find(resp, "Value").Text != "250" {
		t.Fatalf("ThrottleNextInMessage: status %d, want 200 with BackOffMilliseconds 250", st)
	}

	f.UnavailableNext(2, 3*time.Second)
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/EWS/Exchange.asmx", strings.NewReader(soapHead+getCalendar+soapTail))
		req.SetBasicAuth("alice", "secret")
		hr, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, hr.Body)
		hr.Body.Close()
		if hr.StatusCode != 503 || hr.Header.Get("Retry-After") != "3" {
			t.Fatalf("UnavailableNext #%d: %d Retry-After %q, want 503 and 3", i, hr.StatusCode, hr.Header.Get("Retry-After"))
		}
	}

	f.DropNext(1)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/EWS/Exchange.asmx", strings.NewReader(soapHead+getCalendar+soapTail))
	req.SetBasicAuth("alice", "secret")
	if hr, err := ts.Client().Do(req); err == nil {
		hr.Body.Close()
		t.Fatalf("DropNext: request succeeded with %d, want a connection error", hr.StatusCode)
	}

	f.SetLatency(80 * time.Millisecond)
	start := time.Now()
	call(t, ts, getCalendar)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("SetLatency(80ms): request took %v", d)
	}
	f.Reset()

	var statuses []int
	for _, r := range s.History() {
		statuses = append(statuses, r.Status)
	}
	if fmt.Sprint(statuses) != "[500 200 200 503 503 0 200]" {
		t.Fatalf("History statuses = %v, want [500 200 200 503 503 0 200]", statuses)
	}
	counts := s.Counts()
	if counts["GetFolder"] != 4 || counts["Unavailable"] != 2 || counts["Dropped"] != 1 {
		t.Fatalf("Counts = %v, want GetFolder 4, Unavailable 2, Dropped 1", counts)
	}
	s.ResetCounts()
	if s.Count("GetFolder") != 0 {
		t.Fatalf("ResetCounts did not reset")
	}
}

func TestBodyLimit(t *testing.T) {
	s := New(Options{Users: []User{{Name: "alice", Password: "secret"}}, MaxBodyBytes: 1024})
	r := s.Start(listen(t))
	defer r.Close()
	req, _ := http.NewRequest(http.MethodPost, r.URL+"/EWS/Exchange.asmx", strings.NewReader(soapHead+strings.Repeat(" ", 4096)+getCalendar+soapTail))
	req.SetBasicAuth("alice", "secret")
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hr.Body.Close()
	if hr.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: status %d, want 413", hr.StatusCode)
	}
}

func TestPanicInOperationReleasesLock(t *testing.T) {
	_, ts := testServer(t)
	orig := handlers["GetFolder"]
	handlers["GetFolder"] = func(c *opCtx) *node { panic("boom") }
	st, resp := call(t, ts, getCalendar)
	handlers["GetFolder"] = orig
	if st != 500 || find(resp, "faultcode").Text != "a:ErrorInternalServerError" {
		t.Fatalf("panicking operation: status %d, want 500 ErrorInternalServerError", st)
	}
	done := make(chan struct{})
	go func() {
		call(t, ts, getCalendar)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("server lock still held after a panic")
	}
}
