package ews

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// serveSample answers every request with one file of ../shared/ews-samples.
func serveSample(t *testing.T, name string, status int) *Client {
	t.Helper()
	dir := sharedSamples()
	if dir == "" {
		t.Skip("../shared/ews-samples not found")
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		w.WriteHeader(status)
		_, _ = w.Write(data)
	})
	return newTestClient(t, srv.URL, &Options{Auth: AuthBasic, MaxRetries: 1, MaxWait: time.Second, Sleep: func(context.Context, time.Duration) error { return nil }})
}

// TestSampleErrors runs the client against Microsoft's documented and
// recorded error responses and checks the typed errors.
func TestSampleErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("63 busy fault", func(t *testing.T) {
		c := serveSample(t, "63-soap-fault-error-server-busy.xml", 500)
		_, err := c.GetFolder(ctx, Distinguished("calendar"))
		var e *Error
		if !IsBusy(err) || !errors.As(err, &e) || e.BackOff != 297749*time.Millisecond {
			t.Errorf("GetFolder() = %v, want busy with 297749 ms back-off", err)
		}
	})
	t.Run("13 invalid sync state", func(t *testing.T) {
		c := serveSample(t, "13-syncfolderitems-error-invalid-syncstate.xml", 200)
		_, err := c.SyncFolderItems(ctx, Distinguished("calendar"), "bad", nil, func(context.Context, SyncPage) error { return nil })
		if !IsInvalidSyncState(err) || !errors.Is(err, ErrFullResync) {
			t.Errorf("SyncFolderItems() = %v, want an invalid sync state", err)
		}
	})
	t.Run("03 invalid id", func(t *testing.T) {
		c := serveSample(t, "03-getfolder-error-invalid-id.xml", 200)
		_, err := c.GetFolder(ctx, FolderID("x"))
		var e *Error
		if !errors.As(err, &e) || e.ResponseCode != "ErrorInvalidIdMalformed" || IsNotFound(err) {
			t.Errorf("GetFolder() = %v, want ErrorInvalidIdMalformed", err)
		}
	})
	t.Run("51 batch not found", func(t *testing.T) {
		c := serveSample(t, "51-deleteitem-batch-error-item-not-found.xml", 200)
		rs, err := c.DeleteItems(ctx, wire.ItemRefs{ItemRef(wire.ItemId{Id: "1"}), ItemRef(wire.ItemId{Id: "2"}), ItemRef(wire.ItemId{Id: "3"})}, "HardDelete")
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			if !IsNotFound(r.Err) {
				t.Errorf("DeleteItems()[%d].Err = %v, want not found", i, r.Err)
			}
		}
	})
	t.Run("46 schema fault", func(t *testing.T) {
		c := serveSample(t, "46-updateitem-contact-soap-fault.xml", 500)
		_, err := c.UpdateItems(ctx, []wire.ItemChange{{ItemId: &wire.ItemId{Id: "1"}}}, "")
		var e *Error
		if !errors.As(err, &e) || e.ResponseCode != "ErrorSchemaValidation" || !e.Fault || IsBusy(err) {
			t.Errorf("UpdateItems() = %v, want an ErrorSchemaValidation fault", err)
		}
	})
	t.Run("59 invalid subscription", func(t *testing.T) {
		c := serveSample(t, "59-getstreamingevents-error-invalid-subscription.xml", 200)
		err := c.GetStreamingEvents(ctx, []string{"S"}, time.Minute, func(context.Context, wire.Notification) error { return nil })
		if !IsSubscriptionLost(err) || !errors.Is(err, ErrFullResync) {
			t.Errorf("GetStreamingEvents() = %v, want a lost subscription", err)
		}
	})
	t.Run("58 streaming events", func(t *testing.T) {
		c := serveSample(t, "58-getstreamingevents-response.xml", 200)
		var kinds []string
		err := c.GetStreamingEvents(ctx, []string{"S"}, time.Minute, func(_ context.Context, n wire.Notification) error {
			for _, e := range n.Events {
				kinds = append(kinds, e.XMLName.Local)
			}
			return nil
		})
		// The sample is a single envelope without Closed: the stream then ends.
		var te *transportError
		if !errors.As(err, &te) {
			t.Errorf("GetStreamingEvents() = %v, want a connection-ended error", err)
		}
		if len(kinds) != 3 || kinds[0] != "CreatedEvent" || kinds[2] != "ModifiedEvent" {
			t.Errorf("events = %v, want CreatedEvent, NewMailEvent, ModifiedEvent", kinds)
		}
	})
	t.Run("54 pull subscribe", func(t *testing.T) {
		c := serveSample(t, "54-subscribe-pull-response.xml", 200)
		sub, err := c.SubscribePull(ctx, wire.FolderIds{Distinguished("inbox")}, 10)
		if err != nil || sub.Id == "" || sub.Watermark == "" {
			t.Errorf("SubscribePull() = %+v, %v; want id and watermark", sub, err)
		}
	})
}

// TestBatchRetriesBusyItems retries only the entries answered with
// ErrorServerBusy, after their back-off.
func TestBatchRetriesBusyItems(t *testing.T) {
	clock := newFakeClock()
	calls := 0
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		calls++
		n := strings.Count(body, "<t:ItemId ")
		var msgs []string
		for i := range n {
			if calls == 1 && i == 1 {
				msgs = append(msgs, fail(op, "ErrorServerBusy", `<m:MessageXml><t:Value Name="BackOffMilliseconds">3000</t:Value></m:MessageXml>`))
				continue
			}
			msgs = append(msgs, ok(op, ""))
		}
		_, _ = w.Write([]byte(response(op, msgs...)))
	})
	c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Now: clock.Now, Sleep: clock.Sleep})
	rs, err := c.DeleteItems(context.Background(), wire.ItemRefs{ItemRef(wire.ItemId{Id: "a"}), ItemRef(wire.ItemId{Id: "b"}), ItemRef(wire.ItemId{Id: "c"})}, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.Err != nil {
			t.Errorf("DeleteItems()[%d].Err = %v, want nil after the retry", i, r.Err)
		}
	}
	reqs := srv.reqs()
	if len(reqs) != 2 || !strings.Contains(reqs[1].body, `Id="b"`) || strings.Contains(reqs[1].body, `Id="a"`) {
		t.Errorf("requests = %d; the retry must hold only item b", len(reqs))
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] < 3*time.Second {
		t.Errorf("back-off sleeps = %v, want one of at least 3s", clock.sleeps)
	}
}
