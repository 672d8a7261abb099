package ewssim

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPullSubscriptionGetEvents(t *testing.T) {
	_, ts := testServer(t)
	_, resp := call(t, ts, `<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="calendar"/></t:FolderIds><t:EventTypes><t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType><t:EventType>DeletedEvent</t:EventType></t:EventTypes><t:Timeout>10</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>`)
	wantCodes(t, resp, "NoError")
	sub, wm := find(resp, "SubscriptionId").Text, find(resp, "Watermark").Text
	getEvents := func(wm string) *node {
		_, r := call(t, ts, `<m:GetEvents><m:SubscriptionId>`+sub+`</m:SubscriptionId><m:Watermark>`+wm+`</m:Watermark></m:GetEvents>`)
		return r
	}
	resp = getEvents(wm)
	wantCodes(t, resp, "NoError")
	if find(resp, "StatusEvent") == nil {
		t.Fatalf("GetEvents without changes: want a StatusEvent")
	}
	id, _ := createCal(t, ts, fmt.Sprintf(calItem, "pull"))
	createContact(t, func(b string) *node { _, r := call(t, ts, b); return r }) // other folder: not reported
	resp = getEvents(wm)
	ev := find(resp, "CreatedEvent")
	if ev == nil || find(ev, "ItemId").attr("Id") != id || len(findAll(resp, "CreatedEvent")) != 1 {
		t.Fatalf("GetEvents = no CreatedEvent for %s (or events from other folders)", id)
	}
	next := find(ev, "Watermark").Text
	resp = getEvents(next)
	if find(resp, "CreatedEvent") != nil || find(resp, "StatusEvent") == nil {
		t.Fatalf("GetEvents after ack repeated the event")
	}
	wantCodes(t, getEvents(wm), "ErrorInvalidWatermark") // older than the acknowledged watermark
	_, resp = call(t, ts, `<m:Unsubscribe><m:SubscriptionId>`+sub+`</m:SubscriptionId></m:Unsubscribe>`)
	wantCodes(t, resp, "NoError")
	wantCodes(t, getEvents(next), "ErrorSubscriptionNotFound")
}

// readEnvelopes reads a chunked GetStreamingEvents response, one envelope at a time.
func readEnvelopes(t *testing.T, body io.Reader, out chan<- *node) {
	t.Helper()
	br := bufio.NewReader(body)
	var buf strings.Builder
	for {
		chunk, err := br.ReadString('>')
		buf.WriteString(chunk)
		if strings.HasSuffix(buf.String(), "</s:Envelope>") {
			data := []byte(buf.String())
			record(data)
			n, perr := parseTree(data)
			if perr != nil {
				t.Errorf("stream envelope does not parse: %v", perr)
			}
			out <- n
			buf.Reset()
		}
		if err != nil {
			close(out)
			return
		}
	}
}

func TestStreamingNotifications(t *testing.T) {
	_, ts := testServer(t) // one streaming minute lasts 200ms, keep-alives every 50ms
	_, resp := call(t, ts, `<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="calendar"/></t:FolderIds><t:EventTypes><t:EventType>CreatedEvent</t:EventType><t:EventType>ModifiedEvent</t:EventType></t:EventTypes></m:StreamingSubscriptionRequest></m:Subscribe>`)
	wantCodes(t, resp, "NoError")
	sub := find(resp, "SubscriptionId").Text
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/EWS/Exchange.asmx", strings.NewReader(soapHead+`<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>`+sub+`</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>2</m:ConnectionTimeout></m:GetStreamingEvents>`+soapTail))
	req.SetBasicAuth("alice", "secret")
	start := time.Now()
	hr, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer hr.Body.Close()
	if len(hr.TransferEncoding) == 0 || hr.TransferEncoding[0] != "chunked" {
		t.Fatalf("TransferEncoding = %v, want chunked", hr.TransferEncoding)
	}
	envs := make(chan *node, 100)
	go readEnvelopes(t, hr.Body, envs)
	id, _ := createCal(t, ts, fmt.Sprintf(calItem, "stream"))
	var created, closed bool
	var keepAlives int
	for n := range envs {
		if ev := find(n, "CreatedEvent"); ev != nil {
			if find(ev, "ItemId").attr("Id") != id {
				t.Fatalf("CreatedEvent for %s, want %s", find(ev, "ItemId").attr("Id"), id)
			}
			if len(findAll(n, "Envelope")) > 1 {
				t.Fatalf("several envelopes in one chunk")
			}
			created = true
			continue
		}
		switch find(n, "ConnectionStatus").Text {
		case "OK":
			keepAlives++
		case "Closed":
			closed = true
		}
	}
	if !created || !closed || keepAlives == 0 {
		t.Fatalf("stream: created=%v closed=%v keepalives=%d, want all", created, closed, keepAlives)
	}
	if d := time.Since(start); d < 350*time.Millisecond {
		t.Fatalf("stream closed after %v, want ConnectionTimeout 2 (x200ms)", d)
	}
	// A pull subscription id on GetStreamingEvents is refused with Closed.
	req, _ = http.NewRequest(http.MethodPost, ts.URL+"/EWS/Exchange.asmx", strings.NewReader(soapHead+`<m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>bogus</t:SubscriptionId></m:SubscriptionIds><m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents>`+soapTail))
	req.SetBasicAuth("alice", "secret")
	hr2, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(hr2.Body)
	hr2.Body.Close()
	record(data)
	n, _ := parseTree(data)
	wantCodes(t, n, "ErrorSubscriptionNotFound")
	if find(n, "ConnectionStatus").Text != "Closed" {
		t.Fatalf("unknown subscription: ConnectionStatus != Closed")
	}
}
