package plan

import (
	"testing"
	"time"
)

var (
	older = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	newer = older.Add(time.Hour)
)

// TestDecideTwoWay is the full two-way decision table: every pair of side
// states, with equal and different content where both changed.
func TestDecideTwoWay(t *testing.T) {
	tests := []struct {
		l, r       State
		same       bool
		correlated bool
		want       Action
		conflict   bool
	}{
		{None, None, false, true, Drop, false},
		{None, None, false, false, Nothing, false},
		{None, Unchanged, false, true, CreateLocal, false},
		{None, Changed, false, false, CreateLocal, false},
		{None, Changed, false, true, CreateLocal, false},
		{None, Deleted, false, true, Drop, false},
		{Unchanged, None, false, true, CreateRemote, false},
		{Unchanged, Unchanged, false, true, Nothing, false},
		{Unchanged, Changed, false, true, UpdateLocal, false},
		{Unchanged, Deleted, false, true, DeleteLocal, false},
		{Changed, None, false, false, CreateRemote, false},
		{Changed, None, false, true, CreateRemote, false},
		{Changed, Unchanged, false, true, UpdateRemote, false},
		{Changed, Changed, true, true, Record, false},
		{Changed, Changed, true, false, Record, false},
		{Changed, Changed, false, true, UpdateLocal, true}, // newest, times unknown: Exchange
		{Changed, Deleted, false, true, CreateRemote, true},
		{Deleted, None, false, true, Drop, false},
		{Deleted, Unchanged, false, true, DeleteRemote, false},
		{Deleted, Changed, false, true, CreateLocal, true},
		{Deleted, Deleted, false, true, Drop, false},
	}
	for _, tt := range tests {
		t.Run(tt.l.String()+"/"+tt.r.String(), func(t *testing.T) {
			d := Decide(Input{Local: tt.l, Remote: tt.r, SameContent: tt.same, Correlated: tt.correlated, Direction: TwoWay})
			if d.Action != tt.want || d.Conflict != tt.conflict {
				t.Errorf("Decide(%v, %v, same=%v, corr=%v) = %v conflict=%v; want %v conflict=%v",
					tt.l, tt.r, tt.same, tt.correlated, d.Action, d.Conflict, tt.want, tt.conflict)
			}
			if d.Reason == "" {
				t.Errorf("Decide(%v, %v).Reason is empty", tt.l, tt.r)
			}
		})
	}
}

// TestDecidePolicies resolves "both changed, different content" with each
// conflict policy and last-modified order.
func TestDecidePolicies(t *testing.T) {
	tests := []struct {
		name       string
		policy     Policy
		lmod, rmod time.Time
		want       Action
	}{
		{"newest local newer", Newest, newer, older, UpdateRemote},
		{"newest remote newer", Newest, older, newer, UpdateLocal},
		{"newest tie", Newest, older, older, UpdateLocal},
		{"newest local unknown", Newest, time.Time{}, older, UpdateLocal},
		{"newest remote unknown", Newest, newer, time.Time{}, UpdateLocal},
		{"default is newest", "", newer, older, UpdateRemote},
		{"exchange wins", Exchange, newer, older, UpdateLocal},
		{"nextcloud wins", Nextcloud, older, newer, UpdateRemote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(Input{Local: Changed, Remote: Changed, LocalModified: tt.lmod, RemoteModified: tt.rmod,
				Policy: tt.policy, Direction: TwoWay, Correlated: true})
			if d.Action != tt.want || !d.Conflict {
				t.Errorf("Decide(%s) = %v conflict=%v; want %v conflict=true", tt.name, d.Action, d.Conflict, tt.want)
			}
		})
	}
}

// TestDecideOneWay checks every state pair on one-way links: nothing is ever
// written to the side that only receives, and the source wins conflicts.
func TestDecideOneWay(t *testing.T) {
	states := []State{None, Unchanged, Changed, Deleted}
	for _, dir := range []Direction{ToNextcloud, ToExchange} {
		for _, l := range states {
			for _, r := range states {
				for _, same := range []bool{false, true} {
					for _, p := range []Policy{Newest, Exchange, Nextcloud} {
						in := Input{Local: l, Remote: r, SameContent: same, Direction: dir, Policy: p, Correlated: true,
							LocalModified: newer, RemoteModified: older}
						d := Decide(in)
						two := Decide(Input{Local: l, Remote: r, SameContent: same, Direction: TwoWay, Policy: p, Correlated: true,
							LocalModified: newer, RemoteModified: older})
						if dir == ToNextcloud && d.Action.WritesRemote() {
							t.Errorf("Decide(%v) = %v writes to Exchange on a link to Nextcloud", in, d.Action)
						}
						if dir == ToExchange && d.Action.WritesLocal() {
							t.Errorf("Decide(%v) = %v writes to Nextcloud on a link to Exchange", in, d.Action)
						}
						bothDiffer := l == Changed && r == Changed && !same
						switch {
						case bothDiffer && dir == ToNextcloud && d.Action != UpdateLocal:
							t.Errorf("Decide(%v) = %v, want update-local (Exchange is the source)", in, d.Action)
						case bothDiffer && dir == ToExchange && d.Action != UpdateRemote:
							t.Errorf("Decide(%v) = %v, want update-remote (Nextcloud is the source)", in, d.Action)
						case !bothDiffer && dir == ToNextcloud && two.Action.WritesRemote() && d.Action != AcceptLocal:
							t.Errorf("Decide(%v) = %v, want accept-local instead of %v", in, d.Action, two.Action)
						case !bothDiffer && dir == ToExchange && two.Action.WritesLocal() && d.Action != AcceptRemote:
							t.Errorf("Decide(%v) = %v, want accept-remote instead of %v", in, d.Action, two.Action)
						case !bothDiffer && !two.Action.WritesLocal() && !two.Action.WritesRemote() && d.Action != two.Action:
							t.Errorf("Decide(%v) = %v, want %v as on a two-way link", in, d.Action, two.Action)
						}
					}
				}
			}
		}
	}
	// Spot checks of the merge semantics.
	if d := Decide(Input{Local: Deleted, Remote: Unchanged, Direction: ToNextcloud, Correlated: true}); d.Action != AcceptLocal {
		t.Errorf("to-nextcloud local delete = %v, want accept-local (Exchange keeps it)", d.Action)
	}
	if d := Decide(Input{Local: Unchanged, Remote: Deleted, Direction: ToNextcloud, Correlated: true}); d.Action != DeleteLocal {
		t.Errorf("to-nextcloud remote delete = %v, want delete-local", d.Action)
	}
	if d := Decide(Input{Local: Changed, Remote: None, Direction: ToExchange}); d.Action != CreateRemote {
		t.Errorf("to-exchange new local = %v, want create-remote", d.Action)
	}
}

func TestStateOf(t *testing.T) {
	tests := []struct {
		was, present, changed bool
		want                  State
	}{
		{false, false, false, None},
		{false, false, true, None},
		{false, true, false, Changed},
		{true, false, true, Deleted},
		{true, true, false, Unchanged},
		{true, true, true, Changed},
	}
	for _, tt := range tests {
		if got := StateOf(tt.was, tt.present, tt.changed); got != tt.want {
			t.Errorf("StateOf(%v, %v, %v) = %v, want %v", tt.was, tt.present, tt.changed, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	for a := Nothing; a <= AcceptRemote; a++ {
		if a.String() == "" || a.String()[0] == 'A' {
			t.Errorf("Action(%d).String() = %q", int(a), a.String())
		}
	}
	if got := Action(99).String(); got != "Action(99)" {
		t.Errorf("Action(99).String() = %q", got)
	}
	if got := State(7).String(); got != "State(7)" {
		t.Errorf("State(7).String() = %q", got)
	}
}
