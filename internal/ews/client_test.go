package ews

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// genericEWS answers every operation the client sends with success
// messages, one per request entry.
func genericEWS(w http.ResponseWriter, op, body string) {
	count := func(subs ...string) int {
		n := 0
		for _, s := range subs {
			n += strings.Count(body, s)
		}
		return n
	}
	repeat := func(n int, msg string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = msg
		}
		return out
	}
	item := `<m:Items><t:CalendarItem><t:ItemId Id="I1" ChangeKey="CK2"/></t:CalendarItem></m:Items>`
	var resp string
	switch op {
	case "GetFolder":
		resp = response(op, repeat(count("<t:FolderId ", "<t:DistinguishedFolderId "), ok(op, `<m:Folders><t:CalendarFolder><t:FolderId Id="F1" ChangeKey="FK"/><t:FolderClass>IPF.Appointment</t:FolderClass><t:DisplayName>Calendar</t:DisplayName><t:TotalCount>3</t:TotalCount></t:CalendarFolder></m:Folders>`))...)
	case "FindFolder":
		resp = response(op, ok(op, `<m:RootFolder TotalItemsInView="2" IncludesLastItemInRange="true"><t:Folders><t:ContactsFolder><t:FolderId Id="F2"/><t:FolderClass>IPF.Contact</t:FolderClass><t:DisplayName>Friends</t:DisplayName><t:TotalCount>7</t:TotalCount></t:ContactsFolder><t:Folder><t:FolderId Id="F3"/><t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>Inbox</t:DisplayName></t:Folder></t:Folders></m:RootFolder>`))
	case "CreateFolder":
		resp = response(op, ok(op, `<m:Folders><t:CalendarFolder><t:FolderId Id="NEW"/></t:CalendarFolder></m:Folders>`))
	case "SyncFolderItems":
		resp = response(op, ok(op, `<m:SyncState>S1</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes/>`))
	case "GetItem", "DeleteItem":
		n := count("<t:ItemId ", "<t:OccurrenceItemId ", "<t:RecurringMasterItemId ")
		resp = response(op, repeat(n, ok(op, item))...)
	case "CreateItem":
		resp = response(op, repeat(count("</t:CalendarItem>", "</t:Contact>"), ok(op, item))...)
	case "UpdateItem":
		resp = response(op, repeat(count("</t:ItemChange>"), ok(op, item+`<m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>`))...)
	case "CreateAttachment", "GetAttachment", "DeleteAttachment":
		resp = response(op, repeat(count("<t:FileAttachment>", "<t:AttachmentId "), ok(op, `<m:Attachments><t:FileAttachment><t:AttachmentId Id="A1" RootItemId="I1" RootItemChangeKey="CK3"/><t:Name>a.txt</t:Name><t:Content>aGk=</t:Content></t:FileAttachment></m:Attachments>`))...)
	case "Subscribe":
		resp = response(op, ok(op, `<m:SubscriptionId>SUB</m:SubscriptionId><m:Watermark>W0</m:Watermark>`))
	case "GetEvents":
		resp = response(op, ok(op, `<m:Notification><t:SubscriptionId>SUB</t:SubscriptionId><t:PreviousWatermark>W0</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents><t:CreatedEvent><t:Watermark>W1</t:Watermark><t:TimeStamp>2026-01-01T00:00:00Z</t:TimeStamp><t:ItemId Id="I1"/><t:ParentFolderId Id="F1"/></t:CreatedEvent></m:Notification>`))
	case "Unsubscribe", "DeleteFolder":
		resp = response(op, ok(op, ""))
	case "GetStreamingEvents":
		resp = response(op, ok(op, `<m:ConnectionStatus>Closed</m:ConnectionStatus>`))
	default:
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprint(w, resp)
}

// TestRequestsValidate calls every operation of the client against a fake
// server and validates each request body against the official schema.
func TestRequestsValidate(t *testing.T) {
	srv := newFakeEWS(t, genericEWS)
	c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Username: "u", Password: "p", Impersonate: "boss@example.org"})
	ctx := context.Background()
	cal := Distinguished(KindCalendar)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fs, err := c.DiscoverFolders(ctx)
	must(err)
	if len(fs) != 2 || fs[0].Id != "F1" || fs[0].Total != 3 || fs[1].Id != "F2" || fs[1].Kind != KindContacts || fs[1].Total != 7 {
		t.Errorf("DiscoverFolders() = %+v, want F1 calendar (3) and F2 contacts (7)", fs)
	}
	_, err = c.CreateFolder(ctx, cal, wire.FolderKindCalendar, "Test")
	must(err)
	must(c.DeleteFolder(ctx, FolderID("NEW"), "HardDelete"))
	_, err = c.SyncFolderItems(ctx, FolderID("F1"), "", nil, func(context.Context, SyncPage) error { return nil })
	must(err)
	id := wire.ItemId{Id: "I1", ChangeKey: "CK1"}
	_, err = c.GetItems(ctx, wire.ItemRefs{ItemRef(id), OccurrenceRef("M", 2), MasterRef("O")}, wire.ItemShape{AdditionalProperties: wire.Paths{wire.Field("item:Subject"), wire.Indexed("contacts:PhoneNumber", "MobilePhone")}})
	must(err)
	ce := &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "Hi"}, Start: "2026-01-01T10:00:00Z", End: "2026-01-01T11:00:00Z"}
	ce.SetExtended(wire.UIDProperty, "uid-1")
	_, err = c.CreateItems(ctx, &cal, wire.Items{{CalendarItem: ce}, {Contact: &wire.Contact{GivenName: "Ada"}}})
	must(err)
	_, err = c.UpdateItems(ctx, []wire.ItemChange{{ItemId: &id, Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Field("item:Subject"), Item: wire.Item{CalendarItem: &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "New"}}}}, {Kind: wire.DeleteField, Path: wire.Indexed("contacts:EmailAddress", "EmailAddress2")}}}}, "")
	must(err)
	_, err = c.DeleteItems(ctx, wire.ItemRefs{ItemRef(id)}, "")
	must(err)
	_, err = c.CreateAttachments(ctx, id, []wire.Attachment{wire.NewFileAttachment("a.txt", "text/plain", []byte("aGk="))})
	must(err)
	_, err = c.GetAttachments(ctx, []string{"A1"})
	must(err)
	_, err = c.DeleteAttachments(ctx, []string{"A1"})
	must(err)
	sub, err := c.SubscribePull(ctx, wire.FolderIds{FolderID("F1")}, 10)
	must(err)
	evs, err := c.GetEvents(ctx, sub)
	must(err)
	if len(evs) != 1 || sub.Watermark != "W1" {
		t.Errorf("GetEvents() = %d events, watermark %q; want 1, W1", len(evs), sub.Watermark)
	}
	_, err = c.SubscribeStreaming(ctx, wire.FolderIds{FolderID("F1"), cal})
	must(err)
	err = c.GetStreamingEvents(ctx, []string{"SUB"}, time.Minute, func(context.Context, wire.Notification) error { return nil })
	if !errors.Is(err, ErrStreamClosed) {
		t.Errorf("GetStreamingEvents() = %v, want ErrStreamClosed", err)
	}
	must(c.Unsubscribe(ctx, "SUB"))

	bodies := map[string]string{}
	for _, r := range srv.reqs() {
		if r.header.Get("X-AnchorMailbox") != "boss@example.org" {
			t.Errorf("%s: X-AnchorMailbox = %q, want boss@example.org", r.op, r.header.Get("X-AnchorMailbox"))
		}
		if _, seen := bodies[r.op]; !seen {
			bodies[r.op] = r.body
		}
		if r.op == "CreateItem" && !strings.Contains(r.body, `SendMeetingInvitations="SendToNone"`) ||
			r.op == "UpdateItem" && !strings.Contains(r.body, `SendMeetingInvitationsOrCancellations="SendToNone"`) ||
			r.op == "DeleteItem" && !strings.Contains(r.body, `SendMeetingCancellations="SendToNone"`) {
			t.Errorf("%s request lacks SendToNone: %s", r.op, r.body)
		}
	}
	if len(bodies) != 16 {
		t.Errorf("request kinds = %d, want 16", len(bodies))
	}
	validate(t, bodies)
}

func TestVersionChoice(t *testing.T) {
	tests := []struct {
		major int
		want  string
	}{{8, Version2007SP1}, {14, Version2010SP2}, {15, Version2013SP1}, {16, Version2013SP1}}
	for _, tc := range tests {
		if got := VersionFor(wire.ServerVersionInfo{MajorVersion: tc.major}); got != tc.want {
			t.Errorf("VersionFor(%d) = %s, want %s", tc.major, got, tc.want)
		}
	}
	srv := newFakeEWS(t, genericEWS)
	c := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	for range 2 {
		if _, err := c.GetFolder(ctx, Distinguished("calendar")); err != nil {
			t.Fatal(err)
		}
	}
	rs := srv.reqs()
	if !strings.Contains(rs[0].body, `Version="Exchange2007_SP1"`) || !strings.Contains(rs[1].body, `Version="Exchange2013_SP1"`) {
		t.Errorf("versions sent: first %q, second %q; want Exchange2007_SP1 then Exchange2013_SP1", rs[0].body[:0], rs[1].body[:0])
	}
	if v := c.ServerVersion(); v == nil || v.MajorBuildNumber != 1748 {
		t.Errorf("ServerVersion() = %+v, want build 1748", v)
	}
}

// TestSyncPaging1200 pages a sync of 1,200 creates in pages of 512.
func TestSyncPaging1200(t *testing.T) {
	const total = 1200
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		start := 0
		if i := strings.Index(body, "<m:SyncState>"); i >= 0 {
			fmt.Sscanf(body[i+len("<m:SyncState>"):], "S%d", &start)
		}
		if !strings.Contains(body, "<m:MaxChangesReturned>512</m:MaxChangesReturned>") || !strings.Contains(body, wire.UIDPropertySetID) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		end := min(start+512, total)
		var b strings.Builder
		for i := start; i < end; i++ {
			if i%100 == 99 {
				fmt.Fprintf(&b, `<t:Delete><t:ItemId Id="D%d"/></t:Delete>`, i)
				continue
			}
			fmt.Fprintf(&b, `<t:Create><t:CalendarItem><t:ItemId Id="I%d" ChangeKey="C"/><t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="%s" PropertyName="ews_connector.uid" PropertyType="String"/><t:Value>uid-%d</t:Value></t:ExtendedProperty></t:CalendarItem></t:Create>`, i, wire.UIDPropertySetID, i)
		}
		fmt.Fprint(w, response(op, ok(op, fmt.Sprintf(`<m:SyncState>S%d</m:SyncState><m:IncludesLastItemInRange>%v</m:IncludesLastItemInRange><m:Changes>%s</m:Changes>`, end, end == total, b.String()))))
	})
	c := newTestClient(t, srv.URL, nil)
	var pages, n int
	var states []string
	state, err := c.SyncFolderItems(context.Background(), FolderID("F"), "", nil, func(_ context.Context, p SyncPage) error {
		pages++
		states = append(states, p.SyncState)
		for _, ch := range p.Changes {
			want := fmt.Sprintf("I%d", n)
			if ch.Kind == wire.ChangeDelete {
				want = fmt.Sprintf("D%d", n)
			} else if uid, _ := ch.Item.Fields().Extended(wire.UIDProperty); uid != fmt.Sprintf("uid-%d", n) {
				t.Errorf("change %d uid = %q", n, uid)
			}
			if got := ch.Id().Id; got != want {
				t.Fatalf("change %d id = %s, want %s", n, got, want)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("SyncFolderItems() error = %v", err)
	}
	if pages != 3 || n != total || state != "S1200" || strings.Join(states, ",") != "S512,S1024,S1200" {
		t.Errorf("SyncFolderItems() = %d pages, %d changes, state %s, states %v; want 3, 1200, S1200", pages, n, state, states)
	}
	// Each page resumes from the previous page's state.
	rs := srv.reqs()
	if len(rs) != 3 || strings.Contains(rs[0].body, "SyncState") || !strings.Contains(rs[2].body, "<m:SyncState>S1024</m:SyncState>") {
		t.Errorf("requests do not chain the SyncState: %d requests", len(rs))
	}
}

// TestBatchPerItemFailures gets 120 items in batches of 50; every 7th is
// not found, and one batch entry is a stale ChangeKey on update.
func TestBatchPerItemFailures(t *testing.T) {
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		var msgs []string
		for _, part := range strings.Split(body, `<t:ItemId Id="`)[1:] {
			var i int
			fmt.Sscanf(part, "I%d", &i)
			switch {
			case op == "GetItem" && i%7 == 0:
				msgs = append(msgs, fail(op, "ErrorItemNotFound", ""))
			case op == "UpdateItem" && strings.Contains(part[:30], `ChangeKey="old"`):
				msgs = append(msgs, fail(op, "ErrorIrresolvableConflict", ""))
			default:
				msgs = append(msgs, ok(op, fmt.Sprintf(`<m:Items><t:Contact><t:ItemId Id="I%d" ChangeKey="new"/></t:Contact></m:Items>`, i)))
			}
		}
		fmt.Fprint(w, response(op, msgs...))
	})
	c := newTestClient(t, srv.URL, nil)
	var ids wire.ItemRefs
	for i := range 120 {
		ids = append(ids, ItemRef(wire.ItemId{Id: fmt.Sprintf("I%d", i)}))
	}
	rs, err := c.GetItems(context.Background(), ids, wire.ItemShape{})
	if err != nil {
		t.Fatalf("GetItems() error = %v", err)
	}
	if got := len(srv.reqs()); got != 3 {
		t.Errorf("GetItems(120) requests = %d, want 3", got)
	}
	for i, r := range rs {
		if i%7 == 0 {
			if !IsNotFound(r.Err) {
				t.Errorf("item %d err = %v, want not found", i, r.Err)
			}
			continue
		}
		if r.Err != nil || r.Item() == nil || r.Item().Fields().ItemId.Id != fmt.Sprintf("I%d", i) {
			t.Errorf("item %d = %+v, want I%d", i, r, i)
		}
	}
	changes := []wire.ItemChange{
		{ItemId: &wire.ItemId{Id: "I1", ChangeKey: "cur"}, Updates: wire.Updates{{Kind: wire.DeleteField, Path: wire.Field("item:Body")}}},
		{ItemId: &wire.ItemId{Id: "I2", ChangeKey: "old"}, Updates: wire.Updates{{Kind: wire.DeleteField, Path: wire.Field("item:Body")}}},
	}
	us, err := c.UpdateItems(context.Background(), changes, NeverOverwrite)
	if err != nil {
		t.Fatalf("UpdateItems() error = %v", err)
	}
	if us[0].Err != nil || us[0].Item().Fields().ItemId.ChangeKey != "new" {
		t.Errorf("UpdateItems()[0] = %+v, want new ChangeKey", us[0])
	}
	if !IsConflict(us[1].Err) || !IsStaleChangeKey(us[1].Err) || IsNotFound(us[1].Err) {
		t.Errorf("UpdateItems()[1].Err = %v, want a stale ChangeKey conflict", us[1].Err)
	}
	if !strings.Contains(srv.reqs()[3].body, `ConflictResolution="NeverOverwrite"`) {
		t.Errorf("UpdateItem request lacks ConflictResolution=NeverOverwrite")
	}
}

// TestThrottling checks that no request goes out before the back-off the
// server asked for: a SOAP fault in HTTP 500, a fault with HTTP 200
// (grommunio), ErrorServerBusy in a response message, and a 503.
func TestThrottling(t *testing.T) {
	clock := newFakeClock()
	var sent []time.Time
	step := 0
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		sent = append(sent, clock.Now())
		step++
		switch step {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, busyFault(5000))
		case 2:
			fmt.Fprint(w, busyFault(1500)) // HTTP 200
		case 3:
			fmt.Fprint(w, response(op, fail(op, "ErrorServerBusy", `<m:MessageXml><t:Value Name="BackOffMilliseconds">2500</t:Value></m:MessageXml>`)))
		case 4:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			genericEWS(w, op, body)
		}
	})
	c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Now: clock.Now, Sleep: clock.Sleep})
	if _, err := c.GetFolder(context.Background(), Distinguished("calendar")); err != nil {
		t.Fatalf("GetFolder() error = %v", err)
	}
	wants := []time.Duration{5000 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond, 7 * time.Second}
	if len(sent) != 5 {
		t.Fatalf("requests = %d, want 5", len(sent))
	}
	for i, want := range wants {
		if got := sent[i+1].Sub(sent[i]); got < want {
			t.Errorf("request %d went out %s after the previous one, want at least %s", i+2, got, want)
		}
	}
	// A back-off longer than MaxWait fails at once with IsBusy.
	step = 0
	c2 := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Now: clock.Now, Sleep: clock.Sleep, MaxWait: time.Second})
	_, err := c2.GetFolder(context.Background(), Distinguished("calendar"))
	var e *Error
	if !IsBusy(err) || !errors.As(err, &e) || e.BackOff != 5*time.Second || !e.Fault {
		t.Errorf("GetFolder() with MaxWait 1s = %v, want busy fault with 5s back-off", err)
	}
}

func TestTransientBackoffBounded(t *testing.T) {
	clock := newFakeClock()
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Now: clock.Now, Sleep: clock.Sleep, MaxRetries: 3})
	_, err := c.GetFolder(context.Background(), Distinguished("calendar"))
	if !IsBusy(err) {
		t.Fatalf("GetFolder() = %v, want busy", err)
	}
	if n := len(srv.reqs()); n != 4 {
		t.Errorf("requests = %d, want 4 (1 + 3 retries)", n)
	}
	var total time.Duration
	for _, s := range clock.sleeps {
		total += s
	}
	if total < 4*time.Second || total > 12*time.Second {
		t.Errorf("total back-off = %s, want about 1+2+4 s with jitter", total)
	}
}

func TestErrorsAndAuth(t *testing.T) {
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	c := newTestClient(t, srv.URL, nil)
	_, err := c.GetFolder(context.Background(), Distinguished("calendar"))
	if !IsAuth(err) || IsBusy(err) {
		t.Errorf("GetFolder() = %v, want auth error", err)
	}
	if len(srv.reqs()) != 1 {
		t.Errorf("auth failure retried %d times", len(srv.reqs())-1)
	}
	tests := []struct {
		code string
		pred func(error) bool
	}{
		{"ErrorItemNotFound", IsNotFound},
		{"ErrorIrresolvableConflict", IsConflict},
		{"ErrorInvalidSyncStateData", IsInvalidSyncState},
		{"ErrorServerBusy", IsBusy},
		{"ErrorSubscriptionNotFound", IsSubscriptionLost},
		{"ErrorMissedNotificationEvents", IsSubscriptionLost},
	}
	for _, tc := range tests {
		err := error(&Error{Op: "GetItem", ResponseCode: tc.code})
		if !tc.pred(err) {
			t.Errorf("predicate(%s) = false, want true", tc.code)
		}
		if tc.code != "ErrorItemNotFound" && IsNotFound(err) {
			t.Errorf("IsNotFound(%s) = true", tc.code)
		}
	}
	if !errors.Is(&Error{ResponseCode: "ErrorMissedNotificationEvents"}, ErrFullResync) {
		t.Errorf("ErrorMissedNotificationEvents does not unwrap to ErrFullResync")
	}
	if got := (&Error{Op: "GetItem", ResponseCode: "ErrorItemNotFound", MessageText: "gone"}).Error(); got != "ews: getitem: ErrorItemNotFound: gone" {
		t.Errorf("Error() = %q", got)
	}
}

// TestHostileResponses feeds malformed, truncated, hostile and wrongly
// namespaced bodies to the client: each gives a clear error, none panics.
func TestHostileResponses(t *testing.T) {
	good := response("GetFolder", ok("GetFolder", `<m:Folders><t:Folder><t:FolderId Id="F"/></t:Folder></m:Folders>`))
	laughs := `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>`
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"billion laughs", laughs, 200, "DTD"},
		{"dtd before envelope", `<!DOCTYPE x>` + good, 200, "DTD"},
		{"truncated", good[:len(good)/2], 200, "truncated"},
		{"garbage", "\x00\x01binary", 200, "malformed"},
		{"html error page", `<html><body>Bad gateway</body></html>`, 502, "HTTP 502"},
		{"soap 1.2", strings.ReplaceAll(good, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"), 200, "not a SOAP 1.1 envelope"},
		{"wrong operation", strings.ReplaceAll(good, "GetFolderResponse", "GetItemResponse"), 200, "unexpected SOAP body element"},
		{"no response message", response("GetFolder"), 200, "missing response message"},
		{"huge", envelope(strings.Repeat("<x>", 1<<20/3)), 200, "too large"},
		{"bad charset", `<?xml version="1.0" encoding="ebcdic"?>` + good[len(`<?xml version="1.0" encoding="utf-8"?>`):], 200, "charset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, MaxResponseBytes: 1 << 20, MaxRetries: 1, Sleep: func(context.Context, time.Duration) error { return nil }})
			_, err := c.GetFolder(context.Background(), Distinguished("calendar"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("GetFolder() = %v, want an error containing %q", err, tc.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "ews: ") {
				t.Errorf("error %q lacks the ews: prefix", err)
			}
		})
	}
}

func TestTraceRedacts(t *testing.T) {
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		http.SetCookie(w, &http.Cookie{Name: "X-BackEndCookie", Value: "sessionsecret"})
		genericEWS(w, op, body)
	})
	var trace bytes.Buffer
	c := newTestClient(t, srv.URL, &Options{Auth: AuthBasic, Username: "user", Password: "hunter2", Trace: &trace})
	if _, err := c.GetFolder(context.Background(), Distinguished("calendar")); err != nil {
		t.Fatal(err)
	}
	s := trace.String()
	for _, secret := range []string{"hunter2", basic("user", "hunter2"), "sessionsecret"} {
		if strings.Contains(s, secret) {
			t.Errorf("trace contains secret %q:\n%s", secret, s)
		}
	}
	for _, want := range []string{"Authorization: Basic [redacted]", "Set-Cookie: [redacted]", "<m:GetFolder>", "GetFolderResponse"} {
		if !strings.Contains(s, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
}

func TestConcurrencyLimit(t *testing.T) {
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	inflight, peak := 0, 0
	srv := newFakeEWS(t, func(w http.ResponseWriter, op, body string) {
		<-mu
		inflight++
		peak = max(peak, inflight)
		mu <- struct{}{}
		time.Sleep(20 * time.Millisecond)
		<-mu
		inflight--
		mu <- struct{}{}
		genericEWS(w, op, body)
	})
	c := newTestClient(t, srv.URL, nil)
	done := make(chan error)
	for range 6 {
		go func() {
			_, err := c.GetFolder(context.Background(), Distinguished("calendar"))
			done <- err
		}()
	}
	for range 6 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if peak > DefaultConcurrency {
		t.Errorf("peak concurrent requests = %d, want at most %d", peak, DefaultConcurrency)
	}
}
