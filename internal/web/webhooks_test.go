package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/reference"
	"github.com/ewsconnector/ews_connector/internal/scheduler"
)

type recordingSink struct {
	mu  sync.Mutex
	evs []scheduler.CalendarEvent
}

func (r *recordingSink) CalendarChanged(ev scheduler.CalendarEvent) error {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
	return nil
}

// transcriptBody returns the request body of a captured delivery from
// ../shared/nextcloud-transcripts, or skips.
func transcriptBody(t *testing.T, name string) []byte {
	t.Helper()
	dir := reference.Require(t, "nextcloud-transcripts")
	matches, _ := filepath.Glob(filepath.Join(dir, name+"*"))
	if len(matches) == 0 {
		t.Skip("../shared not found: no transcript " + name)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n\n{")
	if i < 0 {
		t.Fatalf("%s: no JSON body", name)
	}
	body, _, _ := strings.Cut(s[i+2:], "\n")
	return []byte(body)
}

func TestParseCalendarWebhookTranscripts(t *testing.T) {
	tests := []struct {
		file    string
		changes []scheduler.ObjectChange
	}{
		{"0083", []scheduler.ObjectChange{{User: "admin", Collection: "/remote.php/dav/calendars/admin/personal/",
			Href: "/remote.php/dav/calendars/admin/personal/nclab-event-d5ea00a8.ics", ETag: `"798c15cc3e0755e188a496c659a33d62"`}}},
		{"0086", []scheduler.ObjectChange{{User: "admin", Collection: "/remote.php/dav/calendars/admin/personal/",
			Href: "/remote.php/dav/calendars/admin/personal/nclab-event-d5ea00a8.ics", ETag: `"84538a630af5f7c20cdf6f7a59250500"`, Deleted: true}}},
		{"0087", []scheduler.ObjectChange{
			{User: "admin", Collection: "/remote.php/dav/calendars/admin/personal/",
				Href: "/remote.php/dav/calendars/admin/personal/nclab-event-d5ea00a8.ics", ETag: `"84538a630af5f7c20cdf6f7a59250500"`, Deleted: true},
			{User: "admin", Collection: "/remote.php/dav/calendars/admin/nclab-second/",
				Href: "/remote.php/dav/calendars/admin/nclab-second/nclab-event-d5ea00a8.ics", ETag: `"84538a630af5f7c20cdf6f7a59250500"`}}},
		{"0089", []scheduler.ObjectChange{{User: "admin", Collection: "/remote.php/dav/calendars/admin/nclab-second/",
			Href: "/remote.php/dav/calendars/admin/nclab-second/nclab-event-d5ea00a8-deleted.ics", ETag: `"84538a630af5f7c20cdf6f7a59250500"`, Deleted: true}}},
		{"0099", []scheduler.ObjectChange{{User: "alice", Collection: "/remote.php/dav/calendars/alice/personal/",
			Href: "/remote.php/dav/calendars/alice/personal/nclab-event-alice.ics", ETag: `"a944ca7f5b6023a47b1def775ae6dbd6"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ev, err := parseCalendarWebhook(transcriptBody(t, tt.file))
			if err != nil {
				t.Fatalf("parseCalendarWebhook(%s) = %v", tt.file, err)
			}
			if len(ev.Changes) != len(tt.changes) {
				t.Fatalf("parseCalendarWebhook(%s) changes = %+v, want %+v", tt.file, ev.Changes, tt.changes)
			}
			for i := range tt.changes {
				if ev.Changes[i] != tt.changes[i] {
					t.Errorf("change %d = %+v, want %+v", i, ev.Changes[i], tt.changes[i])
				}
			}
		})
	}
}

func TestParseCalendarWebhookBad(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"event":{"class":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}}`,
		`{"event":{"class":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","calendarData":{"uri":"x","principaluri":"principals/users/a/b"},"objectData":{"uri":"e.ics"}}}`,
		`{"event":{"class":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","calendarData":{"uri":"x","principaluri":"principals/users/a"},"objectData":{"uri":"../e.ics"}}}`,
		`{"event":{"objectData":7}}`} {
		if ev, err := parseCalendarWebhook([]byte(body)); err == nil && len(ev.Changes) > 0 {
			t.Errorf("parseCalendarWebhook(%s) = %+v, want an error or nothing", body, ev)
		}
	}
}

// TestCalendarWebhookReceiver posts a delivery as AppAPI does: signed, no
// Content-Type. Unsigned deliveries are refused.
func TestCalendarWebhookReceiver(t *testing.T) {
	sink := &recordingSink{}
	srv := New(Options{Verifier: appapi.NewVerifier(testAppID, testSecret), Nextcloud: &nopNC{}, Webhooks: sink})
	body := `{"event":{"calendarId":3,"calendarData":{"id":3,"uri":"work","principaluri":"principals\/users\/alice"},"shares":[],"objectData":{"id":6,"uri":"a.ics","etag":"\"e1\"","calendardata":"BEGIN:VCALENDAR"},"class":"OCP\\Calendar\\Events\\CalendarObjectUpdatedEvent"},"user":{"uid":"alice","displayName":"alice"},"time":1795477573}`
	post := func(h http.Header) int {
		req := httptest.NewRequest(http.MethodPost, CalendarWebhookURI, bytes.NewBufferString(body))
		for k, v := range h {
			req.Header[k] = v
		}
		req.Header.Del("Content-Type")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(http.Header{}); code != http.StatusUnauthorized {
		t.Errorf("unsigned POST %s = %d, want 401", CalendarWebhookURI, code)
	}
	if code := post(signed("alice")); code != http.StatusNoContent {
		t.Fatalf("signed POST %s without Content-Type = %d, want 204", CalendarWebhookURI, code)
	}
	if code := post(signed("")); code != http.StatusNoContent {
		t.Fatalf("signed POST %s as system = %d, want 204", CalendarWebhookURI, code)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.evs) != 2 || len(sink.evs[0].Changes) != 1 || sink.evs[0].Changes[0].Href != "/remote.php/dav/calendars/alice/work/a.ics" ||
		sink.evs[0].Changes[0].ETag != `"e1"` {
		t.Errorf("sink got %+v", sink.evs)
	}
}

// nopNC is a Nextcloud the webhook test never calls.
type nopNC struct{}

func (nopNC) SetInitProgress(context.Context, int) error      { return nil }
func (nopNC) SetInitError(context.Context, int, string) error { return nil }
func (nopNC) Enabled(context.Context) (bool, error)           { return false, nil }

// FuzzParseCalendarWebhook: any body gives an event or an error, never a
// panic, and every change names a collection of its user.
func FuzzParseCalendarWebhook(f *testing.F) {
	f.Add([]byte(`{"event":{"calendarData":{"uri":"work","principaluri":"principals/users/alice"},"objectData":{"uri":"a.ics","etag":"\"1\""},"class":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent"}}`))
	f.Add([]byte(`{"event":{"sourceCalendarData":{"uri":"a","principaluri":"principals/users/bob"},"targetCalendarData":{"uri":"b","principaluri":"principals/users/bob"},"objectData":{"uri":"x.ics"},"class":"OCP\\Calendar\\Events\\CalendarObjectMovedEvent"}}`))
	f.Add([]byte(`{"event":{"objectData":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := parseCalendarWebhook(body)
		if err != nil {
			return
		}
		for _, ch := range ev.Changes {
			prefix := "/remote.php/dav/calendars/" + ch.User + "/"
			if ch.User == "" || !strings.HasPrefix(ch.Collection, prefix) || !strings.HasPrefix(ch.Href, ch.Collection) ||
				strings.Contains(strings.TrimPrefix(ch.Href, ch.Collection), "/") {
				t.Fatalf("parseCalendarWebhook(%q) change %+v escapes its collection", body, ch)
			}
		}
	})
}
