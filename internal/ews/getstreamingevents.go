package ews

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	res, release, err := c.post(ctx, op, body)
	if err != nil {
		return err
	}
	defer release()
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
