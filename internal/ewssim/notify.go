package ewssim

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strconv"
	"time"
)

// Notifications: pull (Subscribe + GetEvents) and streaming (Subscribe + GetStreamingEvents)
// (https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/notification-subscriptions-mailbox-events-and-ews-in-exchange).

// maxQueuedEvents is the per-subscription queue; overflowing it loses events and the
// subscription answers ErrorMissedNotificationEvents.
const maxQueuedEvents = 10000

// event is one queued notification event.
type event struct {
	kind      string
	seq       int64
	ts        time.Time
	folder    bool
	id, ck    string
	parent    *folder
	oldID     string
	oldParent *folder
}

// subscription is a pull or streaming subscription.
type subscription struct {
	id        string
	num       uint32
	box       *mailbox
	streaming bool
	all       bool
	folders   map[*folder]bool
	types     map[string]bool
	events    []*event
	seq       int64 // last assigned event sequence (the current watermark)
	acked     int64 // lowest watermark still accepted by GetEvents
	missed    bool
	timeout   time.Duration
	lastPoll  time.Time
	wake      chan struct{}
}

func (sub *subscription) watermark(seq int64) string {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b, sub.num)
	binary.BigEndian.PutUint64(b[4:], uint64(seq))
	return base64.StdEncoding.EncodeToString(b)
}

func parseWatermark(s string) (uint32, int64, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 12 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(b), int64(binary.BigEndian.Uint64(b[4:])), true
}

func (sub *subscription) wants(kind string, f *folder) bool {
	if !sub.types[kind] {
		return false
	}
	return sub.all || sub.folders[f]
}

func (sub *subscription) push(ev event) {
	if len(sub.events) >= maxQueuedEvents {
		sub.missed = true
		return
	}
	sub.seq++
	ev.seq = sub.seq
	sub.events = append(sub.events, &ev)
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// emitItem queues an item event for every interested subscription (server lock held).
func (s *Server) emitItem(m *mailbox, kind string, it *item, oldID string, oldParent *folder) {
	now := s.now().UTC()
	for _, sub := range m.subs {
		if sub.wants(kind, it.folder) || (oldParent != nil && sub.wants(kind, oldParent)) {
			sub.push(event{kind: kind, ts: now, id: it.id, ck: it.changeKey, parent: it.folder, oldID: oldID, oldParent: oldParent})
		}
	}
}

// emitFolder queues a folder event.
func (s *Server) emitFolder(m *mailbox, kind string, f *folder) {
	now := s.now().UTC()
	for _, sub := range m.subs {
		if f.parent != nil && sub.wants(kind, f.parent) {
			sub.push(event{kind: kind, ts: now, folder: true, id: f.id, ck: f.changeKey, parent: f.parent})
		}
	}
}

func (e *event) render(withWatermark string) *node {
	n := el(e.kind, "")
	if withWatermark != "" {
		n.add(el("Watermark", withWatermark))
	}
	n.add(el("TimeStamp", fmtTime(e.ts)))
	idName := "ItemId"
	if e.folder {
		idName = "FolderId"
	}
	n.add(el(idName, "", "Id", e.id, "ChangeKey", e.ck))
	n.add(el("ParentFolderId", "", "Id", e.parent.id, "ChangeKey", e.parent.changeKey))
	if e.kind == "MovedEvent" || e.kind == "CopiedEvent" {
		n.add(el("Old"+idName, "", "Id", e.oldID))
		n.add(el("OldParentFolderId", "", "Id", e.oldParent.id, "ChangeKey", e.oldParent.changeKey))
	}
	return n
}

// opSubscribe implements Subscribe for pull and streaming subscriptions
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/subscribe-operation).
func opSubscribe(c *opCtx) *node {
	req := c.env.Body.Kids[0]
	m := c.box
	if req.Local == "PushSubscriptionRequest" {
		return response("Subscribe", errMsg("SubscribeResponseMessage", errf("ErrorInvalidRequest", "Push subscriptions are not supported by the simulator.")))
	}
	sub := &subscription{box: m, streaming: req.Local == "StreamingSubscriptionRequest", folders: map[*folder]bool{},
		types: map[string]bool{}, wake: make(chan struct{}, 1), lastPoll: c.s.now(), all: req.attr("SubscribeToAllFolders") == "true"}
	if fi := req.child("FolderIds"); fi != nil {
		for _, k := range fi.Kids {
			f, err := resolveFolder(m, k)
			if err != nil {
				return response("Subscribe", errMsg("SubscribeResponseMessage", err))
			}
			sub.folders[f] = true
		}
	}
	for _, t := range req.child("EventTypes").Kids {
		sub.types[t.Text] = true
	}
	sub.timeout = 30 * time.Minute
	if v := req.childText("Timeout"); v != "" {
		n, _ := strconv.Atoi(v)
		sub.timeout = time.Duration(n) * c.s.opts.StreamingMinute
	}
	c.s.subSeq++
	sub.num = c.s.subSeq
	b := make([]byte, 16)
	binary.BigEndian.PutUint16(b, m.no)
	binary.BigEndian.PutUint32(b[2:], sub.num)
	copy(b[6:], "EWSSIMSUBS")
	sub.id = base64.StdEncoding.EncodeToString(b)
	if wm := req.childText("Watermark"); wm != "" {
		return response("Subscribe", errMsg("SubscribeResponseMessage", errf("ErrorInvalidWatermark", "The watermark is not valid for a new subscription.")))
	}
	m.subs[sub.id] = sub
	c.s.subs[sub.id] = sub
	msg := respMsg("SubscribeResponseMessage", "NoError", "")
	msg.add(&node{Space: "m", Local: "SubscriptionId", Text: sub.id})
	if !sub.streaming {
		msg.add(&node{Space: "m", Local: "Watermark", Text: sub.watermark(0)})
	}
	return response("Subscribe", msg)
}

// findSub returns the caller's subscription or an error code as Exchange answers it.
func (c *opCtx) findSub(id string) (*subscription, *opError) {
	sub := c.s.subs[id]
	if sub == nil || sub.box != c.box {
		return nil, errf("ErrorSubscriptionNotFound", "The specified subscription was not found.")
	}
	return sub, nil
}

// opGetEvents implements GetEvents (pull)
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getevents-operation).
func opGetEvents(c *opCtx) *node {
	req := c.env.Body
	sub, err := c.findSub(req.childText("SubscriptionId"))
	if err == nil && sub.streaming {
		err = errf("ErrorInvalidSubscription", "The subscription is a streaming subscription.")
	}
	now := c.s.now()
	if err == nil && now.Sub(sub.lastPoll) > sub.timeout {
		c.s.dropSub(sub)
		err = errf("ErrorExpiredSubscription", "The subscription has expired.")
	}
	if err == nil && sub.missed {
		c.s.dropSub(sub)
		err = errf("ErrorMissedNotificationEvents", "Events were lost; resubscribe and resynchronize.")
	}
	if err != nil {
		return response("GetEvents", errMsg("GetEventsResponseMessage", err))
	}
	num, wm, ok := parseWatermark(req.childText("Watermark"))
	if !ok || num != sub.num || wm < sub.acked || wm > sub.seq {
		return response("GetEvents", errMsg("GetEventsResponseMessage", errf("ErrorInvalidWatermark", "The watermark is invalid.")))
	}
	sub.lastPoll = now
	sub.acked = wm
	kept := sub.events[:0]
	for _, e := range sub.events {
		if e.seq > wm {
			kept = append(kept, e)
		}
	}
	sub.events = kept
	const maxEvents = 50
	batch := sub.events
	more := false
	if len(batch) > maxEvents {
		batch, more = batch[:maxEvents], true
	}
	n := &node{Space: "m", Local: "Notification"}
	n.add(el("SubscriptionId", sub.id), el("PreviousWatermark", sub.watermark(wm)), el("MoreEvents", strconv.FormatBool(more)))
	if len(batch) == 0 {
		n.add(el("StatusEvent", "").add(el("Watermark", sub.watermark(wm))))
	}
	for _, e := range batch {
		n.add(e.render(sub.watermark(e.seq)))
	}
	msg := respMsg("GetEventsResponseMessage", "NoError", "")
	msg.add(n)
	return response("GetEvents", msg)
}

func (s *Server) dropSub(sub *subscription) {
	delete(s.subs, sub.id)
	delete(sub.box.subs, sub.id)
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

// opUnsubscribe implements Unsubscribe
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/unsubscribe-operation).
func opUnsubscribe(c *opCtx) *node {
	sub, err := c.findSub(c.env.Body.childText("SubscriptionId"))
	if err != nil {
		return response("Unsubscribe", errMsg("UnsubscribeResponseMessage", err))
	}
	c.s.dropSub(sub)
	return response("Unsubscribe", respMsg("UnsubscribeResponseMessage", "NoError", ""))
}

// ExpireSubscriptions drops every subscription, as a server restart or an expiry does;
// clients then get ErrorSubscriptionNotFound and must resubscribe.
func (s *Server) ExpireSubscriptions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		s.dropSub(sub)
	}
}

// getStreamingEvents implements GetStreamingEvents: a chunked HTTP response with one SOAP
// envelope per notification batch, OK keep-alives, and a final ConnectionStatus Closed after
// ConnectionTimeout minutes
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getstreamingevents-operation).
func (s *Server) getStreamingEvents(c *opCtx) {
	req := c.env.Body
	s.mu.Lock()
	box, fault := s.resolveMailbox(c)
	if fault != nil {
		s.mu.Unlock()
		s.writeFault(c.w, fault)
		return
	}
	c.box = box
	var subs []*subscription
	var bad *opError
	for _, k := range req.child("SubscriptionIds").Kids {
		sub, err := c.findSub(k.Text)
		if err == nil && !sub.streaming {
			err = errf("ErrorInvalidSubscription", "The subscription is not a streaming subscription.")
		}
		if err != nil {
			bad = err
			break
		}
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	w := c.w
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	send := func(msg *node) bool {
		out := s.writeResponse(response("GetStreamingEvents", msg))
		if _, err := w.Write(out); err != nil {
			return false
		}
		if fl != nil {
			fl.Flush()
		}
		return true
	}
	if bad != nil {
		msg := errMsg("GetStreamingEventsResponseMessage", bad)
		msg.add(&node{Space: "m", Local: "ConnectionStatus", Text: "Closed"})
		send(msg)
		return
	}
	minutes, _ := strconv.Atoi(req.childText("ConnectionTimeout"))
	deadline := time.NewTimer(time.Duration(minutes) * s.opts.StreamingMinute)
	defer deadline.Stop()
	keep := time.NewTicker(s.opts.KeepAliveInterval)
	defer keep.Stop()
	wake := make(chan struct{}, 1)
	for _, sub := range subs {
		go func(sub *subscription) {
			for {
				select {
				case <-sub.wake:
					select {
					case wake <- struct{}{}:
					default:
					}
				case <-c.r.Context().Done():
					return
				}
			}
		}(sub)
	}
	// deliver flushes pending events: one envelope per subscription with events.
	deliver := func() (bool, *opError) {
		s.mu.Lock()
		var msgs []*node
		var gone *opError
		for _, sub := range subs {
			if s.subs[sub.id] == nil {
				gone = errf("ErrorSubscriptionNotFound", "The subscription was removed.")
				continue
			}
			if sub.missed {
				s.dropSub(sub)
				gone = errf("ErrorMissedNotificationEvents", "Events were lost; resubscribe and resynchronize.")
				continue
			}
			if len(sub.events) == 0 {
				continue
			}
			n := el("Notification", "").add(el("SubscriptionId", sub.id))
			for _, e := range sub.events {
				n.add(e.render(""))
			}
			sub.events = nil
			sub.acked = sub.seq
			msg := respMsg("GetStreamingEventsResponseMessage", "NoError", "")
			msg.add((&node{Space: "m", Local: "Notifications"}).add(n))
			msg.add(&node{Space: "m", Local: "ConnectionStatus", Text: "OK"})
			msgs = append(msgs, msg)
		}
		s.mu.Unlock()
		for _, m := range msgs {
			if !send(m) {
				return false, nil
			}
		}
		return true, gone
	}
	for {
		ok, gone := deliver()
		if !ok {
			return
		}
		if gone != nil {
			msg := errMsg("GetStreamingEventsResponseMessage", gone)
			msg.add(&node{Space: "m", Local: "ConnectionStatus", Text: "Closed"})
			send(msg)
			return
		}
		select {
		case <-wake:
		case <-keep.C:
			msg := respMsg("GetStreamingEventsResponseMessage", "NoError", "")
			msg.add(&node{Space: "m", Local: "ConnectionStatus", Text: "OK"})
			if !send(msg) {
				return
			}
		case <-deadline.C:
			if ok, _ := deliver(); !ok {
				return
			}
			msg := respMsg("GetStreamingEventsResponseMessage", "NoError", "")
			msg.add(&node{Space: "m", Local: "ConnectionStatus", Text: "Closed"})
			send(msg)
			return
		case <-c.r.Context().Done():
			return
		}
	}
}
