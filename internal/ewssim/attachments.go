package ewssim

import (
	"encoding/base64"
	"strconv"
	"time"
)

// opCreateAttachment implements CreateAttachment for file and item attachments
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createattachment-operation).
func opCreateAttachment(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	t, err := resolveItem(m, req.child("ParentItemId"))
	if err == nil && t.index > 0 {
		err = errf("ErrorInvalidOperation", "Attachments of occurrences are not supported by the simulator.")
	}
	var msgs []*node
	for _, in := range req.child("Attachments").Kids {
		if err != nil {
			msgs = append(msgs, errMsg("CreateAttachmentResponseMessage", err))
			continue
		}
		it := t.it
		a := addAttachment(m, it, in, c.s.now().UTC())
		m.touch(it, c.s.now().UTC())
		c.s.emitItem(m, "ModifiedEvent", it, "", nil)
		msg := respMsg("CreateAttachmentResponseMessage", "NoError", "")
		msg.add((&node{Space: "m", Local: "Attachments"}).add(el(a.props.Local, "").add(
			el("AttachmentId", "", "Id", a.id, "RootItemId", it.id, "RootItemChangeKey", it.changeKey))))
		msgs = append(msgs, msg)
	}
	return response("CreateAttachment", msgs...)
}

func lookupAttachment(m *mailbox, id string) (*attachment, *opError) {
	d, ok := decodeID(id)
	if !ok || d.kind != idAttachment {
		return nil, errf("ErrorInvalidAttachmentId", "The attachment id is malformed.")
	}
	a := m.attByID[id]
	if a == nil || d.mbox != m.no {
		return nil, errf("ErrorInvalidAttachmentId", "The attachment was not found.")
	}
	return a, nil
}

// opGetAttachment implements GetAttachment
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getattachment-operation).
func opGetAttachment(c *opCtx) *node {
	req := c.env.Body
	var msgs []*node
	for _, idn := range req.child("AttachmentIds").Kids {
		a, err := lookupAttachment(c.box, idn.attr("Id"))
		if err != nil {
			msgs = append(msgs, errMsg("GetAttachmentResponseMessage", err))
			continue
		}
		out := a.props.clone()
		out.Kids = append([]*node{el("AttachmentId", "", "Id", a.id)}, out.Kids...)
		sortKids(out, "t:"+out.Local+"Type")
		msg := respMsg("GetAttachmentResponseMessage", "NoError", "")
		msg.add((&node{Space: "m", Local: "Attachments"}).add(out))
		msgs = append(msgs, msg)
	}
	return response("GetAttachment", msgs...)
}

// opDeleteAttachment implements DeleteAttachment
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteattachment-operation).
func opDeleteAttachment(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	var msgs []*node
	for _, idn := range req.child("AttachmentIds").Kids {
		a, err := lookupAttachment(m, idn.attr("Id"))
		if err != nil {
			msgs = append(msgs, errMsg("DeleteAttachmentResponseMessage", err))
			continue
		}
		it := a.parent
		kept := it.attachments[:0]
		for _, x := range it.attachments {
			if x != a {
				kept = append(kept, x)
			}
		}
		it.attachments = kept
		delete(m.attByID, a.id)
		m.touch(it, c.s.now().UTC())
		c.s.emitItem(m, "ModifiedEvent", it, "", nil)
		msg := respMsg("DeleteAttachmentResponseMessage", "NoError", "")
		msg.add(&node{Space: "m", Local: "RootItemId", Attrs: el("x", "", "RootItemId", it.id, "RootItemChangeKey", it.changeKey).Attrs})
		msgs = append(msgs, msg)
	}
	return response("DeleteAttachment", msgs...)
}

// addAttachment stores a FileAttachment or ItemAttachment on it; a new contact photo
// replaces the old one.
func addAttachment(m *mailbox, it *item, in *node, now time.Time) *attachment {
	props := in.clone()
	props.removeChild("AttachmentId")
	if props.Local == "FileAttachment" {
		raw, _ := base64.StdEncoding.DecodeString(props.childText("Content"))
		props.removeChild("Size")
		props.add(el("Size", strconv.Itoa(len(raw))))
		if props.childText("IsContactPhoto") == "true" {
			kept := it.attachments[:0]
			for _, a := range it.attachments {
				if a.props.childText("IsContactPhoto") == "true" {
					delete(m.attByID, a.id)
					continue
				}
				kept = append(kept, a)
			}
			it.attachments = kept
		}
	}
	props.removeChild("LastModifiedTime")
	props.add(el("LastModifiedTime", fmtTime(now)))
	sortKids(props, "t:"+props.Local+"Type")
	m.nextNum++
	a := &attachment{parent: it, props: props,
		id: encodeID(byte(idAttachment), m.no, it.folder.num, it.num, uint32(m.nextNum))}
	it.attachments = append(it.attachments, a)
	m.attByID[a.id] = a
	return a
}
