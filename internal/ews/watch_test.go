package ews

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func streamEvent(id string) string {
	return response("GetStreamingEvents", ok("GetStreamingEvents", `<m:Notifications><m:Notification><t:SubscriptionId>S</t:SubscriptionId><t:StatusEvent><t:Watermark>W</t:Watermark></t:StatusEvent><t:CreatedEvent><t:TimeStamp>2026-01-01T00:00:00Z</t:TimeStamp><t:ItemId Id="`+id+`" ChangeKey="C"/><t:ParentFolderId Id="F"/></t:CreatedEvent></m:Notification></m:Notifications><m:ConnectionStatus>OK</m:ConnectionStatus>`))
}

// TestWatchSurvivesClosedAndDrops streams events across a normal Closed, a
// dropped connection (cut mid-envelope) and a lost subscription, which
// leads to a new subscription and a resync signal.
func TestWatchSurvivesClosedAndDrops(t *testing.T) {
	var mu sync.Mutex
	streams, subs := 0, 0
	hold := make(chan struct{})
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		mu.Lock()
		switch op {
		case "Subscribe":
			subs++
			n := subs
			mu.Unlock()
			fmt.Fprint(w, response(op, ok(op, fmt.Sprintf(`<m:SubscriptionId>SUB%d</m:SubscriptionId>`, n))))
			return
		case "GetStreamingEvents":
			streams++
		default:
			mu.Unlock()
			genericEWS(w, op, body)
			return
		}
		n := streams
		mu.Unlock()
		fl := w.(http.Flusher)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		send := func(s string) { fmt.Fprint(w, s); fl.Flush() }
		switch n {
		case 1: // an event, then a normal close
			send(streamEvent("I1"))
			send(response(op, ok(op, `<m:ConnectionStatus>Closed</m:ConnectionStatus>`)))
		case 2: // an event, then the connection drops mid-envelope
			if !strings.Contains(body, "SUB1") {
				t.Errorf("reconnect after Closed used %q, want the same subscription SUB1", body)
			}
			send(streamEvent("I2"))
			ev := streamEvent("I9")
			send(ev[:len(ev)/2])
			panic(http.ErrAbortHandler)
		case 3: // the subscription is gone
			send(response(op, fail(op, "ErrorSubscriptionNotFound", `<m:ConnectionStatus>Closed</m:ConnectionStatus>`)))
		default: // the new subscription delivers
			if !strings.Contains(body, "SUB2") {
				t.Errorf("stream after resubscribe used %q, want SUB2", body)
			}
			send(streamEvent("I3"))
			<-hold // hold the connection until the test ends
		}
	})
	t.Cleanup(func() { close(hold) }) // runs before the server closes
	clock := newFakeClock()
	c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Sleep: clock.Sleep, Now: clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	resyncs := 0
	err := c.Watch(ctx, WatchOptions{
		Folders: wire.FolderIds{Distinguished("calendar")},
		OnEvents: func(_ context.Context, evs []wire.Event) error {
			for _, e := range evs {
				got = append(got, e.XMLName.Local+":"+e.ItemId.Id)
			}
			if len(got) == 3 {
				cancel()
			}
			return nil
		},
		OnResync: func(_ context.Context, cause error) {
			resyncs++
			if !IsSubscriptionLost(cause) {
				t.Errorf("OnResync cause = %v, want a lost subscription", cause)
			}
		},
	})
	if err != context.Canceled {
		t.Errorf("Watch() = %v, want context.Canceled", err)
	}
	if strings.Join(got, ",") != "CreatedEvent:I1,CreatedEvent:I2,CreatedEvent:I3" {
		t.Errorf("events = %v, want I1, I2, I3 (no status events, nothing from the cut envelope)", got)
	}
	if resyncs != 1 || subs != 2 {
		t.Errorf("resyncs = %d, subscriptions = %d; want 1 and 2", resyncs, subs)
	}
	if len(clock.sleeps) == 0 {
		t.Errorf("no back-off after the dropped connection")
	}
}

// TestGetEventsSubscriptionLost maps a missed-events error to a resync.
func TestGetEventsSubscriptionLost(t *testing.T) {
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		fmt.Fprint(w, response(op, fail(op, "ErrorMissedNotificationEvents", "")))
	})
	c := newTestClient(t, srv.URL, nil)
	_, err := c.GetEvents(context.Background(), &Subscription{Id: "S", Watermark: "W"})
	if !IsSubscriptionLost(err) {
		t.Errorf("GetEvents() = %v, want a lost subscription", err)
	}
}
