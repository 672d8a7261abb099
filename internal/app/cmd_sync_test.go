package app

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/store"
)

type fakeLinks struct{ links []store.Link }

func (f fakeLinks) Links(context.Context, string) ([]store.Link, error) { return f.links, nil }
func (f fakeLinks) Link(_ context.Context, _ string, id int64) (store.Link, error) {
	for _, l := range f.links {
		if l.ID == id {
			return l, nil
		}
	}
	return store.Link{}, store.ErrNotFound
}

type fakeRunner struct {
	results map[int64]harmony.Result
	errs    map[int64]error
	got     []harmony.RunOptions
}

func (f *fakeRunner) SyncLink(_ context.Context, _ string, id int64, o harmony.RunOptions) (harmony.Result, error) {
	f.got = append(f.got, o)
	return f.results[id], f.errs[id]
}

func TestRunSyncReport(t *testing.T) {
	links := fakeLinks{[]store.Link{
		{ID: 1, Kind: store.KindContacts, RemoteName: "Contacts", LocalHref: "/dav/ab/", Direction: store.TwoWay, ConflictPolicy: store.PolicyNewest},
		{ID: 2, Kind: store.KindCalendar, RemoteName: "Calendar", LocalHref: "/dav/cal/", Direction: store.ToNextcloud, ConflictPolicy: store.PolicyExchange},
	}}
	r := &fakeRunner{
		results: map[int64]harmony.Result{
			1: {DryRun: true, Local: harmony.Counts{Created: 2}, Remote: harmony.Counts{Updated: 1}, Conflicts: 1,
				Planned: []harmony.Planned{{UID: "u1", Action: "create-local", Reason: "only in Exchange"}}},
			2: {Errors: []harmony.ItemError{{UID: "u9", Op: "update-remote", Err: "ews: boom"}}},
		},
		errs: map[int64]error{2: errors.New("harmony: syncfolderitems: down")},
	}
	var out bytes.Buffer
	err := runSync(context.Background(), &out, links, r, "alice", 0, harmony.RunOptions{DryRun: true})
	if err == nil || !strings.Contains(err.Error(), "1 of 2 links failed") {
		t.Errorf("runSync() = %v, want 1 of 2 failed", err)
	}
	for _, want := range []string{
		`link 1 (contacts: "Contacts" ⇄ /dav/ab/, two-way, conflicts: newest) would do (dry run):`,
		"Nextcloud: 2 created, 0 updated, 0 deleted",
		"Exchange:  0 created, 1 updated, 0 deleted",
		"conflicts: 1, matched: 0, tagged: 0, errors: 0",
		"- create-local u1: only in Exchange",
		"! update-remote u9: ews: boom",
		"failed: harmony: syncfolderitems: down",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if len(r.got) != 2 || !r.got[0].DryRun {
		t.Errorf("SyncLink options = %+v, want two dry runs", r.got)
	}
}

func TestRunSyncOneLink(t *testing.T) {
	links := fakeLinks{[]store.Link{{ID: 7, Kind: store.KindContacts}}}
	r := &fakeRunner{}
	var out bytes.Buffer
	if err := runSync(context.Background(), &out, links, r, "alice", 7, harmony.RunOptions{}); err != nil {
		t.Fatalf("runSync(link 7) = %v", err)
	}
	if len(r.got) != 1 {
		t.Errorf("SyncLink calls = %d, want 1", len(r.got))
	}
	if err := runSync(context.Background(), &out, links, r, "alice", 8, harmony.RunOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("runSync(link 8) = %v, want ErrNotFound", err)
	}
}

func TestCmdSyncNeedsUser(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"sync"}, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	if code != 2 || !strings.Contains(errb.String(), "--user is required") {
		t.Errorf("Run(sync) = %d, stderr %q; want 2 and --user is required", code, errb.String())
	}
}
