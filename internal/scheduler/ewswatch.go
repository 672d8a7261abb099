package scheduler

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// EWSWatcher is the Watcher over an *ews.Client: a streaming subscription
// (Exchange 2010 SP1+,
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/notification-subscriptions-mailbox-events-and-ews-in-exchange)
// kept alive and renewed by ews.Client.Watch, or a pull subscription polled
// with GetEvents where streaming is missing (Exchange 2007, or a server
// refusing it).
type EWSWatcher struct {
	Client *ews.Client
	// Pull forces pull notifications (e.g. the account's ServerVersion is
	// Exchange2007).
	Pull bool
	// PullInterval is the GetEvents period; default 30 s.
	PullInterval time.Duration
	// ConnectionTimeout of each streaming connection; default the client's
	// (30 min).
	ConnectionTimeout time.Duration
}

// NewEWSWatcher returns the watcher of a client, choosing pull for
// Exchange 2007 (serverVersion as stored on the account).
func NewEWSWatcher(c *ews.Client, serverVersion string) *EWSWatcher {
	return &EWSWatcher{Client: c, Pull: strings.HasPrefix(serverVersion, "Exchange2007")}
}

func folderIDs(folders []string) wire.FolderIds {
	ids := make(wire.FolderIds, 0, len(folders))
	for _, f := range folders {
		ids = append(ids, ews.FolderID(f))
	}
	return ids
}

// changedFolders lists the folders named by events (parent folders of
// items, and moved-from folders).
func changedFolders(evs []wire.Event) []string {
	seen := map[string]bool{}
	var out []string
	add := func(f *wire.FolderId) {
		if f != nil && f.Id != "" && !seen[f.Id] {
			seen[f.Id] = true
			out = append(out, f.Id)
		}
	}
	for _, ev := range evs {
		add(ev.ParentFolderId)
		add(ev.OldParentFolderId)
		add(ev.FolderId)
	}
	return out
}

// streamingRefused reports an error meaning the server has no streaming
// notifications.
func streamingRefused(err error) bool {
	var e *ews.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.ResponseCode
	return strings.Contains(c, "SchemaValidation") || c == "ErrorInvalidServerVersion" || c == "ErrorInvalidRequest"
}

// Watch implements Watcher. The streaming subscription is reconnected after
// each connection (Closed), re-created when lost (OnResync), backed off
// after drops and throttling, and unsubscribed when ctx ends, so that a
// stopping instance leaves no subscription behind.
func (w *EWSWatcher) Watch(ctx context.Context, folders []string, onEvent func([]string), onResync func()) error {
	if !w.Pull {
		err := w.stream(ctx, folders, onEvent, onResync)
		if !streamingRefused(err) {
			return err
		}
		w.Pull = true
	}
	return w.pull(ctx, folders, onEvent, onResync)
}

// maxStreamFailures bounds consecutive dropped connections before Watch
// gives up (the scheduler then backs off and watches again).
const maxStreamFailures = 8

func (w *EWSWatcher) stream(ctx context.Context, folders []string, onEvent func([]string), onResync func()) error {
	timeout := w.ConnectionTimeout
	if timeout <= 0 {
		timeout = ews.MaxConnectionTimeout
	}
	sub, err := w.Client.SubscribeStreaming(ctx, folderIDs(folders))
	if err != nil {
		return err
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		_ = w.Client.Unsubscribe(uctx, sub.Id)
		cancel()
	}()
	failures := 0
	for ctx.Err() == nil {
		err := w.Client.GetStreamingEvents(ctx, []string{sub.Id}, timeout, func(_ context.Context, n wire.Notification) error {
			failures = 0
			var evs []wire.Event
			for _, ev := range n.Events {
				if ev.XMLName.Local != "StatusEvent" {
					evs = append(evs, ev)
				}
			}
			if len(evs) > 0 {
				onEvent(changedFolders(evs))
			}
			return nil
		})
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ews.ErrStreamClosed):
			continue
		case ews.IsSubscriptionLost(err):
			next, serr := w.Client.SubscribeStreaming(ctx, folderIDs(folders))
			if serr != nil {
				return serr
			}
			sub = next
			onResync()
			continue
		case ews.IsAuth(err):
			return err
		case err != nil:
			var e *ews.Error
			if errors.As(err, &e) && !ews.IsBusy(err) {
				return err // a refusal retrying cannot fix
			}
			failures++
			if failures > maxStreamFailures {
				return err
			}
			wait := time.Second << min(failures-1, 6)
			if errors.As(err, &e) && e.BackOff > wait {
				wait = e.BackOff
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
	return ctx.Err()
}

func (w *EWSWatcher) pull(ctx context.Context, folders []string, onEvent func([]string), onResync func()) error {
	every := w.PullInterval
	if every <= 0 {
		every = 30 * time.Second
	}
	timeout := max(int(every.Minutes())*3, 10)
	sub, err := w.Client.SubscribePull(ctx, folderIDs(folders), timeout)
	if err != nil {
		return err
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if sub != nil {
			_ = w.Client.Unsubscribe(uctx, sub.Id)
		}
		cancel()
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		evs, err := w.Client.GetEvents(ctx, sub)
		if ews.IsSubscriptionLost(err) {
			if sub, err = w.Client.SubscribePull(ctx, folderIDs(folders), timeout); err != nil {
				return err
			}
			onResync()
			continue
		}
		if err != nil {
			return err
		}
		if len(evs) > 0 {
			onEvent(changedFolders(evs))
		}
	}
}
