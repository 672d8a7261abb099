package ewssim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// FuzzParseEnvelope: any request body gives an envelope or a fault, never a panic.
func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(soapHead + getCalendar + soapTail))
	f.Add([]byte(soapHead + syncReq("", 512) + soapTail))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, fault := parseEnvelope(data)
		if (env == nil) == (fault == nil) {
			t.Fatalf("parseEnvelope = %v, %v; want exactly one", env, fault)
		}
	})
}

var (
	fuzzOnce sync.Once
	fuzzSrv  *Server
)

// FuzzServeHTTP: any request against a seeded mailbox answers without a panic, and
// every answer is well-formed XML.
func FuzzServeHTTP(f *testing.F) {
	for _, name := range []string{"11-syncfolderitems-request.xml", "23-getitem-calendar-request.xml", "35-createitem-recurring-request.xml", "41-updateitem-request.xml", "43-updateitem-recurring-series-request.xml", "48-deleteitem-request.xml", "53-subscribe-pull-request.xml"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "ews-samples", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(soapHead + `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:OccurrenceItemId RecurringMasterId="AANTSU1JSQABAAAAAgAAAAAAAAAU" InstanceIndex="3"/></m:ItemIds></m:GetItem>` + soapTail))
	fuzzOnce.Do(func() {
		fuzzSrv = New(Options{Users: []User{{Name: "alice", Password: "secret"}}})
		if err := fuzzSrv.Seed("demo"); err != nil {
			f.Fatal(err)
		}
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		req := httptest.NewRequest(http.MethodPost, "/EWS/Exchange.asmx", bytes.NewReader(data))
		req.SetBasicAuth("alice", "secret")
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			fuzzSrv.ServeHTTP(w, req)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("request did not finish in 5s: %q\n%s", data, buf[:n])
		}
		if w.Code != 200 && w.Code != 500 {
			t.Fatalf("status %d, want 200 or 500", w.Code)
		}
		if _, err := parseTree(w.Body.Bytes()); err != nil {
			t.Fatalf("response is not well-formed: %v", err)
		}
	})
}
