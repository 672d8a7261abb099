package ews

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// WatchOptions configures Watch.
type WatchOptions struct {
	// Folders to watch.
	Folders wire.FolderIds
	// ConnectionTimeout of each streaming connection (default and max 30 min).
	ConnectionTimeout time.Duration
	// OnEvents receives the events of each notification (status events
	// removed); an error stops Watch.
	OnEvents func(ctx context.Context, events []wire.Event) error
	// OnResync is called after a lost subscription (ErrorSubscriptionNotFound,
	// ErrorInvalidSubscription, ErrorMissedNotificationEvents) was replaced:
	// events may have been missed, so every watched folder needs a full sync.
	OnResync func(ctx context.Context, cause error)
}

// Watch subscribes to streaming notifications and keeps listening until ctx
// ends: after Closed it reconnects the same subscription, after a dropped
// connection it backs off and reconnects, and when the subscription is lost
// it subscribes again and calls OnResync. It returns ctx's error, an
// OnEvents error, or an error that retrying cannot fix (auth, bad request).
// Exchange 2007 has no streaming notifications (Subscribe fails): poll with
// SubscribePull and GetEvents there.
func (c *Client) Watch(ctx context.Context, o WatchOptions) error {
	if o.ConnectionTimeout <= 0 {
		o.ConnectionTimeout = MaxConnectionTimeout
	}
	var sub *Subscription
	failures := 0
	for ctx.Err() == nil {
		if sub == nil {
			s, err := c.SubscribeStreaming(ctx, o.Folders)
			if err != nil {
				return err
			}
			sub = s
		}
		err := c.GetStreamingEvents(ctx, []string{sub.Id}, o.ConnectionTimeout, func(ctx context.Context, n wire.Notification) error {
			failures = 0
			var evs []wire.Event
			for _, ev := range n.Events {
				if ev.XMLName.Local != "StatusEvent" {
					evs = append(evs, ev)
				}
			}
			if len(evs) == 0 || o.OnEvents == nil {
				return nil
			}
			return o.OnEvents(ctx, evs)
		})
		var te *transportError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrStreamClosed):
			failures = 0
			continue
		case IsSubscriptionLost(err):
			c.log.Info("ews: subscription lost, resubscribing", slog.Any("error", err))
			sub = nil
			s, serr := c.SubscribeStreaming(ctx, o.Folders)
			if serr != nil {
				return serr
			}
			sub = s
			if o.OnResync != nil {
				o.OnResync(ctx, err)
			}
			continue
		case errors.As(err, &te) || IsBusy(err):
			failures++
			if failures > c.opts.MaxRetries*4 {
				return err
			}
			wait := c.backoffFor(err, failures)
			c.log.Warn("ews: streaming connection dropped, reconnecting", slog.Duration("wait", wait), slog.Any("error", err))
			if err := c.opts.Sleep(ctx, wait); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
	}
	return ctx.Err()
}
