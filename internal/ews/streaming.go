package ews

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// MaxConnectionTimeout is the longest GetStreamingEvents connection.
const MaxConnectionTimeout = 30 * time.Minute

// ErrStreamClosed is returned by GetStreamingEvents when the server ended
// the connection normally (ConnectionStatus Closed): call it again.
var ErrStreamClosed = errors.New("ews: streaming connection closed")

// GetStreamingEvents opens a streaming connection for the subscriptions,
// open for timeout (1..30 min), and calls fn for every notification as its
// envelope arrives (the response is a chunked stream of envelopes, decoded
// one at a time). It returns ErrStreamClosed when the server closes the
// connection normally, an error with IsSubscriptionLost when a subscription
// is gone, or the transport error when the connection drops.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getstreamingevents-operation
func (c *Client) GetStreamingEvents(ctx context.Context, ids []string, timeout time.Duration, fn func(ctx context.Context, n wire.Notification) error) error {
	const op = "GetStreamingEvents"
	minutes := int(min(max(timeout, time.Minute), MaxConnectionTimeout) / time.Minute)
	body, err := c.marshal(&wire.GetStreamingEventsRequest{SubscriptionIds: ids, ConnectionTimeout: minutes})
	if err != nil {
		return fmt.Errorf("ews: getstreamingevents: %w", err)
	}
	release, err := c.waitTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	hr, err := c.newRequest(ctx, op, body)
	if err != nil {
		return err
	}
	c.traceRequest(hr, body)
	res, err := c.hc.Do(hr)
	if err != nil {
		return &transportError{fmt.Errorf("ews: getstreamingevents: %w", err)}
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusInternalServerError {
		data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		c.traceResponse(res, data)
		return c.decode(op, res, data, op+"Response", &wire.Response{})
	}
	c.traceResponse(res, nil)
	lr := &envelopeLimit{r: res.Body, max: c.opts.MaxResponseBytes}
	d := wire.NewDecoder(lr)
	for {
		lr.n = 0
		var resp wire.Response
		hdr, fault, err := wire.DecodeEnvelope(d, op+"Response", &resp)
		c.noteServer(hdr)
		if lr.over {
			return fmt.Errorf("ews: getstreamingevents: %w (one envelope over %d bytes)", ErrResponseTooLarge, lr.max)
		}
		if fault != nil {
			return &Error{Op: op, ResponseCode: fault.Code(), MessageText: fault.Text(), HTTPStatus: res.StatusCode, Fault: true}
		}
		if errors.Is(err, io.EOF) {
			// The server hung up between envelopes without saying Closed.
			return &transportError{fmt.Errorf("ews: getstreamingevents: connection ended: %w", io.ErrUnexpectedEOF)}
		}
		if err != nil {
			return &transportError{fmt.Errorf("ews: getstreamingevents: %w", err)}
		}
		for i := range resp.ResponseMessages.Messages {
			m := &resp.ResponseMessages.Messages[i]
			if err := messageError(op, m); err != nil {
				return err
			}
			if m.Notifications != nil {
				for _, n := range m.Notifications.Notification {
					if err := fn(ctx, n); err != nil {
						return err
					}
				}
			}
			if m.ConnectionStatus == "Closed" {
				return ErrStreamClosed
			}
		}
	}
}

// envelopeLimit limits the bytes read for one envelope of a stream.
type envelopeLimit struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
}

func (l *envelopeLimit) Read(p []byte) (int, error) {
	if l.n >= l.max {
		l.over = true
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

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
