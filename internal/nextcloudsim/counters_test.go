package nextcloudsim

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestRequestCounts(t *testing.T) {
	f := newFixture(t, nil)
	h := appAPI("alice")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("c%d", i)
			f.do(t, "PUT", "/remote.php/dav/calendars/alice/personal/"+name+".ics", h, fmt.Sprintf(testEvent, name, name))
		}(i)
	}
	wg.Wait()
	f.do(t, "REPORT", "/remote.php/dav/calendars/alice/personal/", h, syncBody("", 0))
	f.do(t, "GET", "/ocs/v1.php/apps/app_api/ex-app/state", h, "")
	if got := f.s.RequestCount("PUT", ClassDAV); got != 8 {
		t.Errorf("RequestCount(PUT, dav) = %d, want 8", got)
	}
	if got := f.s.RequestCount("", ClassDAV); got != 9 {
		t.Errorf("RequestCount(any, dav) = %d, want 9", got)
	}
	if got := f.s.RequestCounts()["GET ocs"]; got != 1 {
		t.Errorf("RequestCounts()[GET ocs] = %d, want 1", got)
	}
	f.s.ResetRequestCounts()
	if got := f.s.RequestCount("", ClassDAV); got != 0 {
		t.Errorf("after reset = %d", got)
	}
	ms := decodeMS(t, f.do(t, "REPORT", "/remote.php/dav/calendars/alice/personal/", h, syncBody("", 0)))
	if len(ms.Responses) != 8 {
		t.Errorf("concurrent PUTs stored %d objects, want 8", len(ms.Responses))
	}
}

func BenchmarkDAVPut(b *testing.B) {
	s := New(Options{AppID: testAppID, AppSecret: testSecret})
	h := appAPI("alice")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("b%d", i)
		rec := serve(s, "PUT", "/remote.php/dav/calendars/alice/personal/"+name+".ics", h, fmt.Sprintf(testEvent, name, name))
		if rec != 201 {
			b.Fatalf("PUT = %d", rec)
		}
	}
}

func BenchmarkSyncCollectionNoChange(b *testing.B) {
	s := New(Options{AppID: testAppID, AppSecret: testSecret})
	h := appAPI("alice")
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("b%d", i)
		serve(s, "PUT", "/remote.php/dav/calendars/alice/personal/"+name+".ics", h, fmt.Sprintf(testEvent, name, name))
	}
	body := syncBody("http://sabre.io/ns/sync/1001", 0)
	b.ReportAllocs()
	for b.Loop() {
		if code := serve(s, "REPORT", "/remote.php/dav/calendars/alice/personal/", h, body); code != 207 {
			b.Fatalf("REPORT = %d", code)
		}
	}
}

// TestDAVLatencyModel: with a latency and two slots, four parallel requests
// take about two latencies.
func TestDAVLatencyModel(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.DAVLatency = 50 * time.Millisecond; o.DAVConcurrency = 2 })
	h := appAPI("alice")
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.do(t, "PROPFIND", "/remote.php/dav/calendars/alice/", withHeader(h, "Depth", "0"), "")
		}()
	}
	wg.Wait()
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("4 requests over 2 slots of 50 ms took %v, want at least 100 ms", d)
	}
}
