package nextcloudsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/reference"
)

// sharedDir finds ../shared next to the repository root (the directory
// holding go.mod), or EWS_SHARED_DIR.
func sharedDir(t *testing.T) string {
	t.Helper()
	return reference.Require(t)
}

// transcript is one captured exchange: the request and the real answer.
type transcript struct {
	name       string
	method     string
	target     string
	header     http.Header
	body       []byte
	status     int
	respHeader http.Header
	respBody   []byte
}

var b64Placeholder = regexp.MustCompile(`base64\("([^"]*)"\)`)

const transcriptSecret = "transcript-secret"

func parseTranscript(t *testing.T, path string) transcript {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr := transcript{name: filepath.Base(path), header: http.Header{}, respHeader: http.Header{}}
	_, req, ok := bytes.Cut(raw, []byte("=== REQUEST ===\n"))
	if !ok {
		t.Fatalf("%s: no request", path)
	}
	req, resp, _ := bytes.Cut(req, []byte("=== RESPONSE ===\n"))
	head, rest, _ := bytes.Cut(req, []byte("\n\n"))
	lines := strings.Split(string(head), "\n")
	parts := strings.SplitN(lines[0], " ", 3)
	tr.method, tr.target = parts[0], parts[1]
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			continue // "(empty body)" right after the headers
		}
		v = b64Placeholder.ReplaceAllStringFunc(v, func(m string) string {
			inner := b64Placeholder.FindStringSubmatch(m)[1]
			inner = strings.ReplaceAll(inner, "<APP_SECRET>", transcriptSecret)
			inner = strings.ReplaceAll(inner, "<PASSWORD>", "password")
			return base64.StdEncoding.EncodeToString([]byte(inner))
		})
		tr.header.Add(k, v)
	}
	if cl, err := strconv.Atoi(tr.header.Get("Content-Length")); err == nil && cl <= len(rest) {
		tr.body = rest[:cl]
	}
	rhead, rbody, _ := bytes.Cut(resp, []byte("\n\n"))
	rlines := strings.Split(string(rhead), "\n")
	tr.status, _ = strconv.Atoi(strings.Fields(rlines[0])[1])
	for _, l := range rlines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		tr.respHeader.Add(k, v)
	}
	// Sanitizing changed some lengths: cut at the pretty-printed copy.
	rbody, _, _ = bytes.Cut(rbody, []byte("\n\n--- (same body"))
	tr.respBody = bytes.TrimRight(rbody, "\n")
	return tr
}

// TestTranscriptReplay replays, in order, every request an ExApp (or a user)
// sent to the real Nextcloud 32.0.1 in ../shared/nextcloud-transcripts and
// checks that the fake answers the same status, the same ETags and, for
// OCS, the same meta.statuscode and (where deterministic) the same data.
func TestTranscriptReplay(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "nextcloud-transcripts")
	files, err := filepath.Glob(filepath.Join(dir, "0*_*to_nc_*.txt"))
	if err != nil || len(files) == 0 {
		t.Skipf("../shared/nextcloud-transcripts not found: %v", err)
	}
	sort.Strings(files)
	f := newFixture(t, func(o *Options) {
		o.AppID, o.AppSecret, o.AppVersion = "nclab_capture", transcriptSecret, "1.0.0"
	})
	skip := map[string]string{
		"0003": "init progress (lifecycle tests cover it)", "0006": "init progress", "0019": "init progress", "0022": "init progress",
	}
	// Answers compared byte for byte (JSON data of OCS).
	sameData := map[string]bool{"0034": true, "0036": true, "0037": true, "0038": true, "0039": true, "0043": true,
		"0054": true, "0061": true, "0062": true, "0033": true, "0044": true, "0045": true, "0102": true, "0103": true}
	replayed := 0
	for _, path := range files {
		tr := parseTranscript(t, path)
		num := tr.name[:4]
		if why, ok := skip[num]; ok {
			t.Logf("%s skipped: %s", tr.name, why)
			continue
		}
		// Trashed objects are named after the object id; the first object
		// created here has id 1 where the real server had 5.
		target := strings.ReplaceAll(tr.target, "/trashbin/objects/5.ics", "/trashbin/objects/1.ics")
		h := tr.header.Clone()
		h.Del("Host")
		h.Del("Content-Length")
		if d := h.Get("Destination"); d != "" {
			h.Set("Destination", strings.ReplaceAll(strings.Replace(d, "http://127.0.0.1:8080", f.ts.URL, 1), "/5.ics", "/1.ics"))
		}
		r := f.do(t, tr.method, target, h, string(tr.body))
		replayed++
		if r.status != tr.status {
			t.Errorf("%s: %s %s = %d, want %d\n%s", tr.name, tr.method, target, r.status, tr.status, r.body)
			continue
		}
		if want := tr.respHeader.Get("ETag"); strings.HasPrefix(target, davPrefix) && want != "" && r.header.Get("ETag") != want {
			t.Errorf("%s: ETag = %q, want %q", tr.name, r.header.Get("ETag"), want)
		}
		if !strings.Contains(tr.respHeader.Get("Content-Type"), "json") || strings.HasPrefix(string(tr.respBody), `{"message"`) {
			if sameData[num] && string(tr.respBody) != r.body {
				t.Errorf("%s: body = %s, want %s", tr.name, r.body, tr.respBody)
			}
			continue
		}
		var want, got struct {
			OCS struct {
				Meta struct {
					StatusCode int `json:"statuscode"`
				} `json:"meta"`
				Data json.RawMessage `json:"data"`
			} `json:"ocs"`
		}
		if err := json.Unmarshal(tr.respBody, &want); err != nil {
			t.Fatalf("%s: transcript body: %v", tr.name, err)
		}
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Errorf("%s: body %q: %v", tr.name, r.body, err)
			continue
		}
		if got.OCS.Meta.StatusCode != want.OCS.Meta.StatusCode {
			t.Errorf("%s: statuscode = %d, want %d", tr.name, got.OCS.Meta.StatusCode, want.OCS.Meta.StatusCode)
		}
		if sameData[num] && !jsonEqual(got.OCS.Data, want.OCS.Data) {
			t.Errorf("%s: data = %s, want %s", tr.name, got.OCS.Data, want.OCS.Data)
		}
	}
	t.Logf("replayed %d transcripts", replayed)
	if replayed < 60 {
		t.Errorf("replayed %d transcripts, want at least 60", replayed)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// TestTranscriptCallsToApp compares what the fake sends to the ExApp with
// what the real Nextcloud sent (0001, 0002, 0005, 0013, 0083, 0084): the
// same request line and the same set of headers.
func TestTranscriptCallsToApp(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "nextcloud-transcripts")
	f, app := newAppFixture(t, func(o *Options) { o.AppID = "nclab_capture" })
	app.handler = func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/heartbeat":
			_, _ = w.Write([]byte(`{"status":"ok"}`))
		default:
			_, _ = w.Write([]byte(`{"error":""}`))
		}
		return true
	}
	ctx := t.Context()
	if err := f.s.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetEnabled(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	h := withHeader(appAPI(""), "EX-APP-ID", "nclab_capture")
	f.do(t, "POST", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks", h,
		`{"httpMethod": "POST", "uri": "/webhooks/calendar/CalendarObjectCreatedEvent", "event": "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent", "headers": {"X-Lab-Webhook": "CalendarObjectCreatedEvent"}}`)
	f.do(t, "POST", "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks", h,
		`{"httpMethod": "POST", "uri": "`+f.s.opts.AppURL+`/absolute/calendar-created", "event": "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent", "authMethod": "header", "authData": {"X-Lab-Token": "lab-token-value"}}`)
	if _, err := f.s.PutObject(ctx, "/remote.php/dav/calendars/admin/personal/x.ics", []byte(fmt.Sprintf(testEvent, "x", "x")), ""); err != nil {
		t.Fatal(err)
	}
	f.s.DeliverWebhooks(ctx)

	byLine := map[string]recorded{}
	for _, r := range app.requests() {
		line := r.method + " " + r.path
		if r.query != "" {
			line += "?" + r.query
		}
		if _, seen := byLine[line]; !seen {
			byLine[line] = r
		}
	}
	ignore := map[string]bool{"Host": true, "Content-Length": true, "Accept-Encoding": true, "Connection": true}
	for _, name := range []string{"0001_nc_to_exapp_heartbeat.txt", "0002_nc_to_exapp_init.txt", "0005_nc_to_exapp_enabled_enabled_1.txt",
		"0013_nc_to_exapp_enabled_enabled_0.txt", "0083_nc_to_exapp_POST_webhooks_calendar_CalendarObjectCreatedEven.txt",
		"0084_nc_to_exapp_POST_absolute_calendar-created.txt"} {
		tr := parseTranscript(t, filepath.Join(dir, name))
		got, ok := byLine[tr.method+" "+tr.target]
		if !ok {
			t.Errorf("%s: the fake never sent %s %s", name, tr.method, tr.target)
			continue
		}
		var want, have []string
		for k := range tr.header {
			if !ignore[http.CanonicalHeaderKey(k)] {
				want = append(want, http.CanonicalHeaderKey(k))
			}
		}
		for k := range got.header {
			if !ignore[k] {
				have = append(have, k)
			}
		}
		sort.Strings(want)
		sort.Strings(have)
		if strings.Join(want, ",") != strings.Join(have, ",") {
			t.Errorf("%s: headers %v, want %v", name, have, want)
		}
	}
}
