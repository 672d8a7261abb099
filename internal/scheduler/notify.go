package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/harmony"
	"github.com/ewsconnector/ews_connector/internal/store"
)

// notify sends one notification; objectID makes it unique.
func (s *Scheduler) notify(ctx context.Context, user, objectID, subject, message string) error {
	if s.opts.Nextcloud == nil {
		return nil
	}
	err := s.opts.Nextcloud.Notify(ctx, user, appapi.Notification{ObjectID: objectID + "-" + fmt.Sprint(s.opts.Now().Unix()),
		RichSubject: subject, RichMessage: message, Link: s.opts.PageURL})
	if err != nil {
		s.log.Warn("notify failed", slog.String("user_id", user), slog.String("notice", objectID), slog.Any("error", err))
	}
	return err
}

// notifyOnce sends a notification for condition key unless it was sent
// (by any instance) and not cleared since; a failed send is retried next
// time.
func (s *Scheduler) notifyOnce(ctx context.Context, user, key, subject, message string) {
	if s.opts.Nextcloud == nil {
		return
	}
	fresh, err := s.st.ClaimNotice(ctx, user, key, s.opts.Now())
	if err != nil || !fresh {
		return
	}
	if err := s.notify(ctx, user, key, subject, message); err != nil {
		_ = s.st.ClearNotice(ctx, user, key)
	}
}

// notifyPaused tells the user once that a link was paused.
func (s *Scheduler) notifyPaused(ctx context.Context, l store.DueLink, reason string) {
	if reason == "" {
		reason = "It was paused."
	}
	s.notifyOnce(ctx, l.UserID, fmt.Sprintf("paused:%d", l.ID), "Synchronisation of a "+collectionNoun(l.Kind)+" paused",
		reason+" Check it on the EWS Connector page.")
}

// prefEntry caches one user's preferences.
type prefEntry struct {
	vals map[string]string
	at   time.Time
}

// prefTTL is how long a user's preferences are reused.
const prefTTL = 5 * time.Minute

// prefKeys are the personal preferences the scheduler reads.
var prefKeys = []string{PrefChangeSummaries, PrefSyncEnabled}

// pref returns user's preference key ("" when unset or unreadable).
func (s *Scheduler) pref(ctx context.Context, user, key string) string {
	if s.opts.Nextcloud == nil {
		return ""
	}
	s.prefMu.Lock()
	e, ok := s.prefCache[user]
	s.prefMu.Unlock()
	if !ok || s.opts.Now().Sub(e.at) >= prefTTL {
		m, err := s.opts.Nextcloud.Preferences(ctx, user, prefKeys...)
		if err != nil {
			return ""
		}
		e = prefEntry{vals: m, at: s.opts.Now()}
		s.prefMu.Lock()
		s.prefCache[user] = e
		s.prefMu.Unlock()
	}
	return e.vals[key]
}

// wantsSummaries reports whether user opted in to change summaries.
func (s *Scheduler) wantsSummaries(ctx context.Context, user string) bool {
	v := s.pref(ctx, user, PrefChangeSummaries)
	return v == "1" || v == "true"
}

// syncEnabled reports whether user has not turned synchronisation off
// (personal setting, on by default).
func (s *Scheduler) syncEnabled(ctx context.Context, user string) bool {
	v := s.pref(ctx, user, PrefSyncEnabled)
	return v != "0" && v != "false"
}

// changeSummary notifies a run's changes, only if the admin allows change
// summaries and the user opted in (notifying every run annoyed the users
// of the PHP app).
func (s *Scheduler) changeSummary(ctx context.Context, l store.DueLink, res harmony.Result) {
	if s.opts.Nextcloud == nil || !s.Settings().ChangeSummaries || !s.wantsSummaries(ctx, l.UserID) {
		return
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(res.Local.Created, "added in Nextcloud")
	add(res.Local.Updated, "updated in Nextcloud")
	add(res.Local.Deleted, "deleted in Nextcloud")
	add(res.Remote.Created, "added in Exchange")
	add(res.Remote.Updated, "updated in Exchange")
	add(res.Remote.Deleted, "deleted in Exchange")
	_ = s.notify(ctx, l.UserID, fmt.Sprintf("changes-%d", l.ID), "Exchange "+collectionNoun(l.Kind)+" synchronised",
		strings.Join(parts, ", ")+".")
}

// digestKey is the notice that records the last conflict digest.
const digestKey = "conflict-digest"

// sendDigests sends each user with pending conflicts one digest, at most
// once per DigestEvery.
func (s *Scheduler) sendDigests(ctx context.Context) {
	if s.opts.Nextcloud == nil {
		return
	}
	users, err := s.st.DigestUsers(ctx)
	if err != nil {
		s.log.Warn("digest users", slog.Any("error", err))
		return
	}
	now := s.opts.Now()
	for _, u := range users {
		last, err := s.st.NoticeSentAt(ctx, u, digestKey)
		if err != nil || (!last.IsZero() && now.Sub(last) < s.opts.DigestEvery) {
			continue
		}
		// Claim the digest first so that two instances never both send it.
		if err := s.st.SetNotice(ctx, u, digestKey, now); err != nil {
			continue
		}
		cs, err := s.st.TakeConflicts(ctx, u)
		if err != nil || len(cs) == 0 {
			continue
		}
		total := 0
		var parts []string
		for _, c := range cs {
			total += c.Conflicts
			parts = append(parts, fmt.Sprintf("%s: %d", c.LinkName, c.Conflicts))
		}
		_ = s.notify(ctx, u, digestKey, fmt.Sprintf("%d synchronisation conflicts resolved", total),
			"Items changed on both sides were resolved by each link's conflict policy ("+strings.Join(parts, "; ")+").")
	}
}

// usersTTL is how long the Nextcloud user list is reused.
const usersTTL = time.Minute

// userGone reports whether Nextcloud no longer knows user (OCS
// …/api/v1/users).
func (s *Scheduler) userGone(ctx context.Context, user string) (bool, error) {
	if s.opts.Nextcloud == nil {
		return false, nil
	}
	s.userMu.Lock()
	fresh := s.users != nil && s.opts.Now().Sub(s.usersAt) < usersTTL
	known := s.users[user]
	s.userMu.Unlock()
	if fresh && known {
		return false, nil
	}
	list, err := s.opts.Nextcloud.Users(ctx)
	if err != nil {
		return false, err
	}
	m := make(map[string]bool, len(list))
	for _, u := range list {
		m[u] = true
	}
	s.userMu.Lock()
	s.users, s.usersAt = m, s.opts.Now()
	s.userMu.Unlock()
	return !m[user], nil
}

// deleteUser forgets a deleted Nextcloud user: accounts, links,
// correlations, run state and notices.
func (s *Scheduler) deleteUser(ctx context.Context, user string) {
	n, err := s.st.DeleteUserData(ctx, user)
	if err != nil {
		s.log.Warn("delete user data", slog.String("user_id", user), slog.Any("error", err))
		return
	}
	_ = s.st.DeleteNotices(ctx, user)
	s.log.Info("nextcloud user deleted; their accounts were removed", slog.String("user_id", user), slog.Int64("accounts", n))
}

// checkUsers removes the data of users Nextcloud no longer has.
func (s *Scheduler) checkUsers(ctx context.Context) {
	if s.opts.Nextcloud == nil {
		return
	}
	have, err := s.st.AccountUsers(ctx)
	if err != nil || len(have) == 0 {
		return
	}
	list, err := s.opts.Nextcloud.Users(ctx)
	if err != nil || len(list) == 0 {
		return // never delete on an empty or failed answer
	}
	m := make(map[string]bool, len(list))
	for _, u := range list {
		m[u] = true
	}
	for _, u := range have {
		if !m[u] {
			s.deleteUser(ctx, u)
		}
	}
}

// housekeepingLoop looks for deleted users and sends conflict digests.
func (s *Scheduler) housekeepingLoop(ctx context.Context) {
	users := time.NewTicker(s.opts.UsersCheck)
	defer users.Stop()
	digest := time.NewTicker(min(s.opts.DigestEvery/24, time.Hour))
	defer digest.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-users.C:
			s.checkUsers(ctx)
		case <-digest.C:
			s.sendDigests(ctx)
		}
	}
}
