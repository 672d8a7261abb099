package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/ewssim"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/metrics"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/scheduler"
	"github.com/ewsconnector/ews_connector/internal/store"
	"github.com/ewsconnector/ews_connector/internal/web"
)

const (
	fUser   = "alice"
	fPass   = "password"
	fAppID  = "ews_connector"
	fSecret = "scheduler-functional-secret-0123456789"
)

// world is the app's sync path against the simulated Exchange and the fake
// Nextcloud: engine, scheduler, and the web server's webhook receiver.
type world struct {
	t        testing.TB
	ctx      context.Context
	st       *store.Store
	exch     *ewssim.Server
	nc       *nextcloudsim.Server
	ews      *ews.Client
	dav      *dav.Client
	api      *appapi.Client
	sched    *scheduler.Scheduler
	link     store.Link
	folderID string
	calHref  string
	ewsReqs  atomic.Int64
}

type countingTransport struct {
	n    *atomic.Int64
	base http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func newWorld(t testing.TB, config map[string]string, tune func(*scheduler.Options)) *world {
	return newWorldWith(t, config, tune, nil)
}

func newWorldWith(t testing.TB, config map[string]string, tune func(*scheduler.Options), reg *metrics.Registry) *world {
	return newWorldOpts(t, worldOpts{config: config, tune: tune, reg: reg})
}

// worldOpts vary the world.
type worldOpts struct {
	config     map[string]string
	tune       func(*scheduler.Options)
	reg        *metrics.Registry
	version    ewssim.Version // simulated Exchange release
	noWebhooks bool           // webhook_listeners off
	pullEvery  time.Duration  // pull interval where streaming is missing
}

func newWorldOpts(t testing.TB, wo worldOpts) *world {
	config, tune, reg := wo.config, wo.tune, wo.reg
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, ctx: ctx}
	st, err := store.Open(ctx, pgtest.DSN(t), nil)
	if err != nil {
		t.Fatalf("store.Open() = %v", err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w.st = st
	w.exch = ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: fUser, Password: fPass}},
		StreamingMinute: time.Second, KeepAliveInterval: 200 * time.Millisecond, Version: wo.version})
	es := httptest.NewServer(w.exch)
	t.Cleanup(es.Close)
	ewsURL := es.URL + "/EWS/Exchange.asmx"

	// The app's HTTP server (webhook receiver) exists before the fake
	// Nextcloud, which needs its URL.
	var sink atomic.Pointer[scheduler.Scheduler]
	appSrv := httptest.NewUnstartedServer(nil)
	w.nc = nextcloudsim.New(nextcloudsim.Options{AppID: fAppID, AppVersion: "1.0.0", AppSecret: fSecret,
		AppURL: "http://" + appSrv.Listener.Addr().String(), WebhookListenersDisabled: wo.noWebhooks})
	ns := httptest.NewServer(w.nc)
	t.Cleanup(ns.Close)
	t.Cleanup(w.nc.Close)
	for k, v := range config {
		w.nc.SetAppConfigValue(k, v)
	}
	w.api, err = appapi.NewClient(&http.Client{Timeout: 30 * time.Second}, appapi.Options{NextcloudURL: ns.URL, AppID: fAppID,
		AppVersion: "1.0.0", Secret: fSecret})
	if err != nil {
		t.Fatal(err)
	}
	newEWS := func(n *atomic.Int64) *ews.Client {
		var rt http.RoundTripper = http.DefaultTransport
		if n != nil {
			rt = countingTransport{n, rt}
		}
		c, err := ews.NewClient(ewsURL, &ews.Options{Auth: ews.AuthBasic, Username: fUser, Password: fPass,
			HTTPClient: &http.Client{Transport: rt}, MaxRetries: 1, MaxWait: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	newDAV := func() *dav.Client {
		dc, err := w.api.DAV(fUser)
		if err != nil {
			t.Fatal(err)
		}
		c, err := dav.NewClient(dc, w.api.DAVURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w.ews, w.dav = newEWS(nil), newDAV()
	eng := harmony.New(st, harmony.Deps{
		EWS: func(ctx context.Context, _ store.Account) (harmony.EWS, error) { return newEWS(&w.ewsReqs), nil },
		DAV: func(ctx context.Context, _ string) (harmony.DAV, error) { return newDAV(), nil },
	}, harmony.Options{})
	o := scheduler.Options{Store: st, Syncer: eng, Nextcloud: w.api, Logger: slog.New(slog.DiscardHandler),
		Watchers: func(ctx context.Context, _ store.Account) (scheduler.Watcher, error) {
			return &scheduler.EWSWatcher{Client: newEWS(&w.ewsReqs), ConnectionTimeout: time.Minute, PullInterval: wo.pullEvery}, nil
		},
		WebhooksAvailable: web.CalendarWebhooksAvailable(w.api),
		LeaseTTL:          2 * time.Second, Tick: 20 * time.Millisecond, SettingsPoll: 50 * time.Millisecond,
		Debounce: 20 * time.Millisecond, MinInterval: 100 * time.Millisecond, BackoffBase: 200 * time.Millisecond, Metrics: reg}
	if tune != nil {
		tune(&o)
	}
	w.sched, err = scheduler.New(o)
	if err != nil {
		t.Fatal(err)
	}
	sink.Store(w.sched)
	appSrv.Config.Handler = web.New(web.Options{Verifier: appapi.NewVerifier(fAppID, fSecret), Nextcloud: w.api, Webhooks: w.sched})
	appSrv.Start()
	t.Cleanup(appSrv.Close)
	for _, r := range web.CalendarWebhookRegistrations(w.api, slog.New(slog.DiscardHandler)) {
		if err := r.Register(ctx); err != nil {
			t.Fatalf("register %s = %v", r.Name, err)
		}
	}

	// One account, one linked calendar, synced once.
	id, _ := st.NewAccountID(ctx)
	acct := store.Account{ID: id, UserID: fUser, Endpoint: ewsURL, Username: fUser, AuthMethod: store.AuthBasic}
	if err := st.CreateAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	fid, err := w.ews.CreateFolder(ctx, ews.Distinguished("calendar"), wire.FolderKindCalendar, "Work")
	if err != nil {
		t.Fatal(err)
	}
	w.folderID = fid.Id
	if err := w.nc.CreateCalendar(fUser, "work", "Work", []string{"VEVENT"}); err != nil {
		t.Fatal(err)
	}
	w.calHref = "/remote.php/dav/calendars/" + fUser + "/work/"
	w.link = store.Link{AccountID: acct.ID, UserID: fUser, Kind: store.KindCalendar, RemoteFolderID: fid.Id, LocalHref: w.calHref}
	if err := st.CreateLink(ctx, &w.link); err != nil {
		t.Fatal(err)
	}
	if err := w.sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = w.sched.Stop(sctx)
	})
	w.waitFor(5*time.Second, "the first run", func() bool {
		s, err := w.sched.Status(ctx, fUser)
		return err == nil && len(s.Links) == 1 && s.Links[0].LastResult == "ok"
	})
	return w
}

func (w *world) waitFor(d time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// createRemote creates an event in Exchange as another client would.
func (w *world) createRemote(subject string) {
	w.t.Helper()
	body := fmt.Sprintf(`<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:FolderId Id=%q/></m:SavedItemFolderId>`+
		`<m:Items><t:CalendarItem><t:Subject>%s</t:Subject><t:Start>2026-12-01T10:00:00Z</t:Start><t:End>2026-12-01T11:00:00Z</t:End>`+
		`</t:CalendarItem></m:Items></m:CreateItem>`, w.folderID, subject)
	if _, err := w.exch.Do(fUser, body); err != nil {
		w.t.Fatalf("ewssim CreateItem = %v", err)
	}
}

// createLocal creates an event in Nextcloud as the user's calendar client would.
func (w *world) createLocal(uid, summary string) {
	w.t.Helper()
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261123T120000Z\r\n" +
		"DTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := w.nc.PutObject(w.ctx, w.calHref+uid+".ics", []byte(ics), ""); err != nil {
		w.t.Fatalf("PutObject = %v", err)
	}
}

// localHas reports whether Nextcloud's calendar has an object containing s.
func (w *world) localHas(s string) bool {
	objs, err := w.nc.Objects(w.calHref)
	if err != nil {
		return false
	}
	for _, o := range objs {
		if strings.Contains(string(o.Data), s) {
			return true
		}
	}
	return false
}

// remoteHas reports whether the Exchange folder has an item with subject s.
func (w *world) remoteHas(s string) bool {
	found := false
	_, err := w.ews.SyncFolderItems(w.ctx, ews.FolderID(w.folderID), "", &ews.SyncOptions{Paths: wire.Paths{wire.Field("item:Subject")}},
		func(_ context.Context, p ews.SyncPage) error {
			for _, c := range p.Changes {
				if c.Item.CalendarItem != nil && c.Item.CalendarItem.Subject == s {
					found = true
				}
			}
			return nil
		})
	return err == nil && found
}

// TestRemoteChangeReachesNextcloudThroughStreaming: in active mode an
// Exchange change arrives as a streaming notification and is synced within
// the debounce, long before the (one hour) reconciliation.
func TestRemoteChangeReachesNextcloudThroughStreaming(t *testing.T) {
	reg := metrics.NewRegistry()
	w := newWorldWith(t, map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "1h"}, nil, reg)
	w.waitFor(5*time.Second, "the subscription", func() bool {
		s, _ := w.sched.Status(w.ctx, fUser)
		return len(s.Accounts) == 1 && s.Accounts[0].Subscribed
	})
	time.Sleep(300 * time.Millisecond) // the streaming connection opens
	w.createRemote("Streamed from Exchange")
	w.waitFor(10*time.Second, "the Exchange event in Nextcloud", func() bool { return w.localHas("Streamed from Exchange") })
	if m := metricsText(reg); !strings.Contains(m, `ews_connector_events_total{source="exchange",outcome="queued"}`) {
		t.Errorf("no streaming event counted:\n%s", m)
	}
	// The engine's own write to Nextcloud comes back as a webhook: it is
	// recognised by href and ETag and triggers nothing.
	time.Sleep(100 * time.Millisecond)
	if ds := w.nc.DeliverWebhooks(w.ctx); len(ds) != 1 || ds[0].Status/100 != 2 {
		t.Fatalf("DeliverWebhooks() = %+v, want the echo of the app's PUT", ds)
	}
	w.waitFor(2*time.Second, "the echo to be dropped", func() bool {
		return strings.Contains(metricsText(reg), `ews_connector_events_total{source="webhook",outcome="echo"} 1`)
	})
	// A graceful stop closes the subscription and releases its lease.
	sctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
	defer cancel()
	if err := w.sched.Stop(sctx); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if n := w.exch.Count("Unsubscribe"); n != 1 {
		t.Errorf("Unsubscribe requests after Stop = %d, want 1", n)
	}
	if s, _ := w.sched.Status(w.ctx, fUser); s.Accounts[0].Subscribed || s.Accounts[0].Running {
		t.Errorf("status after Stop = %+v, want no lease held", s.Accounts[0])
	}
}

func metricsText(r *metrics.Registry) string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

// TestLocalChangeReachesExchangeThroughWebhook: a Nextcloud calendar
// change is delivered as a webhook (no Content-Type, AppAPI-signed) and
// synced to Exchange; the app's own writes come back as webhooks too and
// are recognised as echoes.
func TestLocalChangeReachesExchangeThroughWebhook(t *testing.T) {
	reg := metrics.NewRegistry()
	w := newWorldWith(t, map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "1h"}, nil, reg)
	w.waitFor(5*time.Second, "webhooks seen as available", func() bool {
		return len(w.nc.Webhooks()) >= 5
	})
	time.Sleep(100 * time.Millisecond) // a settings refresh reads the webhooks
	w.createLocal("nc-webhook-1", "From Nextcloud by webhook")
	w.createLocal("nc-webhook-2", "Stays")
	ds := w.nc.DeliverWebhooks(w.ctx)
	if len(ds) != 2 || ds[0].Status/100 != 2 {
		t.Fatalf("DeliverWebhooks() = %+v, want two 2xx deliveries", ds)
	}
	w.waitFor(10*time.Second, "the Nextcloud event in Exchange", func() bool { return w.remoteHas("From Nextcloud by webhook") })
	if m := metricsText(reg); !strings.Contains(m, `ews_connector_events_total{source="webhook",outcome="queued"} 2`) {
		t.Errorf("webhook events not counted:\n%s", m)
	}
	w.waitFor(10*time.Second, "the second event in Exchange", func() bool { return w.remoteHas("Stays") })
	// A deletion in Nextcloud moves the object to the trash
	// (CalendarObjectMovedToTrashEvent); the item goes from Exchange.
	if err := w.nc.DeleteObject(w.ctx, w.calHref+"nc-webhook-1.ics"); err != nil {
		t.Fatal(err)
	}
	ds = w.nc.DeliverWebhooks(w.ctx)
	if len(ds) != 1 || !strings.HasSuffix(ds[0].Event, "CalendarObjectMovedToTrashEvent") || ds[0].Status/100 != 2 {
		t.Fatalf("DeliverWebhooks() after delete = %+v", ds)
	}
	w.waitFor(10*time.Second, "the deletion in Exchange", func() bool { return !w.remoteHas("From Nextcloud by webhook") })
}

// TestReconciliationCatchesLostWebhook: the webhook is never delivered
// (cron did not run, or the job failed); the reconciliation pass at the
// interval syncs the change anyway.
func TestReconciliationCatchesLostWebhook(t *testing.T) {
	w := newWorld(t, map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "400ms"}, nil)
	w.createLocal("nc-lost-1", "Lost webhook")
	if n := w.nc.PendingWebhooks(); n == 0 {
		t.Fatalf("no webhook queued for the change")
	}
	// Never delivered.
	w.waitFor(10*time.Second, "the reconciliation to sync it", func() bool { return w.remoteHas("Lost webhook") })
}

// TestThrottledServerRequestsBounded: Exchange throttles every request for
// a while; the scheduler backs off (honouring BackOffMilliseconds) so the
// requests stay few, then syncs when the server recovers.
func TestThrottledServerRequestsBounded(t *testing.T) {
	w := newWorld(t, map[string]string{scheduler.KeyInterval: "100ms"}, nil)
	w.ewsReqs.Store(0)
	w.exch.Faults().ThrottleNext(-1, 300*time.Millisecond)
	time.Sleep(2 * time.Second)
	n := w.ewsReqs.Load()
	// Without back-off: a run every 100 ms, each retrying once → ~40
	// requests. With it: 300 ms hints, then 200 ms·2^n.
	if n > 16 {
		t.Errorf("EWS requests during 2 s of throttling = %d, want a bounded few (<= 16)", n)
	}
	s, _ := w.sched.Status(w.ctx, fUser)
	if s.Accounts[0].BackoffUntil.IsZero() && s.Links[0].LastResult != "busy" {
		t.Errorf("status during throttling = %+v", s)
	}
	w.exch.Faults().Reset()
	w.createRemote("After throttling")
	w.waitFor(10*time.Second, "sync after recovery", func() bool { return w.localHas("After throttling") })
}

// TestPullWhereStreamingIsMissing: Exchange 2007 has no streaming
// notifications; the watcher falls back to a pull subscription.
func TestPullWhereStreamingIsMissing(t *testing.T) {
	w := newWorldOpts(t, worldOpts{config: map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "1h"},
		version: ewssim.Exchange2007, pullEvery: 100 * time.Millisecond})
	w.waitFor(5*time.Second, "the subscription", func() bool {
		s, _ := w.sched.Status(w.ctx, fUser)
		return len(s.Accounts) == 1 && s.Accounts[0].Subscribed
	})
	time.Sleep(300 * time.Millisecond)
	w.createRemote("Pulled from Exchange 2007")
	w.waitFor(10*time.Second, "the Exchange event in Nextcloud", func() bool { return w.localHas("Pulled from Exchange 2007") })
	if n := w.exch.Count("GetEvents"); n == 0 {
		t.Errorf("GetEvents requests = 0, want pull notifications")
	}
}

// TestNoWebhookListenersPollsCalendars: with webhook_listeners off (or
// Nextcloud 30/31), enabling still succeeds and calendars are polled at the
// short interval in active mode.
func TestNoWebhookListenersPollsCalendars(t *testing.T) {
	w := newWorldOpts(t, worldOpts{config: map[string]string{scheduler.KeyMode: "active", scheduler.KeyInterval: "1h",
		scheduler.KeyContactsInterval: "300ms"}, noWebhooks: true})
	w.createLocal("nc-polled-1", "Polled without webhooks")
	w.waitFor(10*time.Second, "the polled change in Exchange", func() bool { return w.remoteHas("Polled without webhooks") })
}
