// Package plan is the pure decision table of the harmonization engine: given,
// for one item (one UID), what each side holds now and what the correlation
// recorded at the last sync, it returns the action that brings both sides
// into harmony. It does no I/O, in the manner of vdirsyncer's _get_actions
// (https://github.com/pimutils/vdirsyncer/blob/main/vdirsyncer/sync/__init__.py)
// and CalDav Synchronizer's two-way strategy; docs/harmonization.md holds the
// table.
package plan

import (
	"fmt"
	"time"
)

// State is what one side holds for a UID compared with the correlation.
type State int

// The states of one side.
const (
	// None: absent now, and absent at the last sync (or never seen).
	None State = iota
	// Unchanged: present now and at the last sync, same content (its version
	// is the recorded one, or the version changed but not the hash).
	Unchanged
	// Changed: present now with a new version and a new content hash, or
	// present now and absent at the last sync (new).
	Changed
	// Deleted: present at the last sync, absent now.
	Deleted
)

var stateNames = [...]string{None: "none", Unchanged: "unchanged", Changed: "changed", Deleted: "deleted"}

// String names the state.
func (s State) String() string {
	if s < None || s > Deleted {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// StateOf derives a side's State from presence at the last sync (was),
// presence now (present) and whether version and hash both changed (changed;
// ignored unless both are true).
func StateOf(was, present, changed bool) State {
	switch {
	case !was && !present:
		return None
	case !was && present:
		return Changed
	case was && !present:
		return Deleted
	case changed:
		return Changed
	}
	return Unchanged
}

// Direction is a link's direction (store.Direction values).
type Direction string

// The directions.
const (
	TwoWay      Direction = "two-way"
	ToNextcloud Direction = "to-nextcloud" // Exchange → Nextcloud only
	ToExchange  Direction = "to-exchange"  // Nextcloud → Exchange only
)

// Policy is a link's conflict policy (store.ConflictPolicy values).
type Policy string

// The conflict policies.
const (
	Newest    Policy = "newest" // the later last-modified time wins; a tie or an unknown time: Exchange
	Exchange  Policy = "exchange"
	Nextcloud Policy = "nextcloud"
)

// Input is everything the decision needs about one UID.
type Input struct {
	Local, Remote State
	// SameContent is true when both sides are present and their content
	// hashes are equal (the mapped content is the same).
	SameContent bool
	// LocalModified and RemoteModified are the last-modified times
	// (iCalendar LAST-MODIFIED or vCard REV; EWS LastModifiedTime); zero
	// when unknown. Only the Newest policy reads them.
	LocalModified, RemoteModified time.Time
	Direction                     Direction
	Policy                        Policy
	// Correlated is true when a correlation row exists for the UID.
	Correlated bool
}

// Action is what the engine does for one UID.
type Action int

// The actions. "Local" is Nextcloud, "Remote" is Exchange.
const (
	// Nothing: both sides are in harmony; nothing to write or record.
	Nothing Action = iota
	// Record: no write, but record both sides' current versions and
	// hashes (both changed to the same content, or a first-link match).
	Record
	// CreateLocal creates the remote item in Nextcloud.
	CreateLocal
	// CreateRemote creates the local item in Exchange.
	CreateRemote
	// UpdateLocal overwrites the Nextcloud object from Exchange (a merge).
	UpdateLocal
	// UpdateRemote overwrites the Exchange item from Nextcloud (minimal
	// field updates).
	UpdateRemote
	// DeleteLocal deletes the Nextcloud object (Exchange deleted it).
	DeleteLocal
	// DeleteRemote deletes the Exchange item (Nextcloud deleted it).
	DeleteRemote
	// Drop deletes the correlation: the item is gone on both sides.
	Drop
	// AcceptLocal records the local side as it is now without writing to
	// Exchange (a one-way link to Nextcloud ignores Nextcloud's changes).
	AcceptLocal
	// AcceptRemote records the remote side as it is now without writing to
	// Nextcloud (a one-way link to Exchange ignores Exchange's changes).
	AcceptRemote
)

var actionNames = [...]string{Nothing: "nothing", Record: "record", CreateLocal: "create-local",
	CreateRemote: "create-remote", UpdateLocal: "update-local", UpdateRemote: "update-remote",
	DeleteLocal: "delete-local", DeleteRemote: "delete-remote", Drop: "drop", AcceptLocal: "accept-local",
	AcceptRemote: "accept-remote"}

// String names the action.
func (a Action) String() string {
	if a < Nothing || a > AcceptRemote {
		return fmt.Sprintf("Action(%d)", int(a))
	}
	return actionNames[a]
}

// WritesLocal reports whether the action writes to Nextcloud.
func (a Action) WritesLocal() bool { return a == CreateLocal || a == UpdateLocal || a == DeleteLocal }

// WritesRemote reports whether the action writes to Exchange.
func (a Action) WritesRemote() bool {
	return a == CreateRemote || a == UpdateRemote || a == DeleteRemote
}

// Decision is the planner's answer for one UID.
type Decision struct {
	Action Action
	// Conflict is true when both sides changed the item differently (or
	// one deleted what the other modified) and a policy chose the winner.
	Conflict bool
	// Reason explains the decision for logs and dry runs.
	Reason string
}

// Decide returns the action for one UID. It is a pure function of in.
func Decide(in Input) Decision {
	d := twoWay(in)
	return direct(in, d)
}

func twoWay(in Input) Decision {
	l, r := in.Local, in.Remote
	switch {
	case l == None && r == None, l == Deleted && r == Deleted, l == Deleted && r == None, l == None && r == Deleted:
		if in.Correlated {
			return Decision{Action: Drop, Reason: "gone on both sides"}
		}
		return Decision{Action: Nothing, Reason: "absent on both sides"}
	case l == Changed && r == Changed:
		if in.SameContent {
			return Decision{Action: Record, Reason: "same content on both sides"}
		}
		if localWins(in) {
			return Decision{Action: UpdateRemote, Conflict: true, Reason: "both changed: " + string(policyOf(in)) + " policy chose Nextcloud"}
		}
		return Decision{Action: UpdateLocal, Conflict: true, Reason: "both changed: " + string(policyOf(in)) + " policy chose Exchange"}
	case l == Changed && r == Unchanged:
		return Decision{Action: UpdateRemote, Reason: "changed in Nextcloud"}
	case l == Unchanged && r == Changed:
		return Decision{Action: UpdateLocal, Reason: "changed in Exchange"}
	case l == Unchanged && r == Unchanged:
		return Decision{Action: Nothing, Reason: "unchanged"}
	case l == Changed && r == Deleted:
		return Decision{Action: CreateRemote, Conflict: true, Reason: "deleted in Exchange, modified in Nextcloud: the modification wins"}
	case l == Deleted && r == Changed:
		return Decision{Action: CreateLocal, Conflict: true, Reason: "deleted in Nextcloud, modified in Exchange: the modification wins"}
	case l == Changed && r == None, l == Unchanged && r == None:
		return Decision{Action: CreateRemote, Reason: "only in Nextcloud"}
	case l == None && r == Changed, l == None && r == Unchanged:
		return Decision{Action: CreateLocal, Reason: "only in Exchange"}
	case l == Unchanged && r == Deleted:
		return Decision{Action: DeleteLocal, Reason: "deleted in Exchange"}
	case l == Deleted && r == Unchanged:
		return Decision{Action: DeleteRemote, Reason: "deleted in Nextcloud"}
	}
	return Decision{Action: Nothing, Reason: fmt.Sprintf("unknown states %v/%v", l, r)}
}

func policyOf(in Input) Policy {
	if in.Policy == "" {
		return Newest
	}
	return in.Policy
}

// localWins applies the conflict policy to two different changes.
func localWins(in Input) bool {
	switch policyOf(in) {
	case Nextcloud:
		return true
	case Exchange:
		return false
	}
	if in.LocalModified.IsZero() || in.RemoteModified.IsZero() {
		return false
	}
	return in.LocalModified.After(in.RemoteModified)
}

// direct applies a one-way direction: writes to the side that only
// receives are replaced by accepting the state as it is, and a conflict is
// always won by the source side.
func direct(in Input, d Decision) Decision {
	switch in.Direction {
	case ToNextcloud:
		if in.Local == Changed && in.Remote == Changed && !in.SameContent {
			return Decision{Action: UpdateLocal, Conflict: true, Reason: "both changed: one-way link, Exchange wins"}
		}
		if d.Action.WritesRemote() {
			return Decision{Action: AcceptLocal, Reason: "one-way link to Nextcloud: " + d.Reason + ", not sent to Exchange"}
		}
	case ToExchange:
		if in.Local == Changed && in.Remote == Changed && !in.SameContent {
			return Decision{Action: UpdateRemote, Conflict: true, Reason: "both changed: one-way link, Nextcloud wins"}
		}
		if d.Action.WritesLocal() {
			return Decision{Action: AcceptRemote, Reason: "one-way link to Exchange: " + d.Reason + ", not sent to Nextcloud"}
		}
	}
	return d
}
