package ewssim

// opDeleteItem implements DeleteItem; deleting an occurrence adds a DeletedOccurrence
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation).
func opDeleteItem(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	var msgs []*node
	for _, idn := range req.child("ItemIds").Kids {
		t, err := resolveItem(m, idn)
		if err == nil && t.it.kind == kindCalendar && !req.hasAttr("SendMeetingCancellations") {
			err = errf("ErrorSendMeetingCancellationsRequired", "SendMeetingCancellations attribute is required for calendar items.")
		}
		if err != nil {
			msgs = append(msgs, errMsg("DeleteItemResponseMessage", err))
			continue
		}
		now := c.s.now().UTC()
		switch {
		case t.index > 0:
			delete(t.it.exceptions, t.index)
			t.it.deletedOcc[t.index] = true
			m.touch(t.it, now)
			t.it.propVer["occ#"+itoa(t.index)] = t.it.ver
			c.s.emitItem(m, "ModifiedEvent", t.it, "", nil)
		case req.attr("DeleteType") == "MoveToDeletedItems" && t.it.folder != m.dist["deleteditems"]:
			old, oldF := t.it.id, t.it.folder
			m.moveItem(t.it, m.dist["deleteditems"], now)
			c.s.emitItem(m, "MovedEvent", t.it, old, oldF)
		default:
			m.removeItem(t.it)
			c.s.emitItem(m, "DeletedEvent", t.it, "", nil)
		}
		msgs = append(msgs, respMsg("DeleteItemResponseMessage", "NoError", ""))
	}
	return response("DeleteItem", msgs...)
}

// opMoveItem implements MoveItem; moved items get new ids
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/moveitem-operation).
func opMoveItem(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	dst, derr := firstFolder(m, req.child("ToFolderId"))
	var msgs []*node
	for _, idn := range req.child("ItemIds").Kids {
		if derr != nil {
			msgs = append(msgs, errMsg("MoveItemResponseMessage", derr))
			continue
		}
		t, err := resolveItem(m, idn)
		if err == nil && t.index > 0 {
			err = errf("ErrorInvalidOperation", "An occurrence cannot be moved.")
		}
		if err == nil && t.it.kind == kindCalendar && !isCalendarFolder(dst) && dst != m.dist["deleteditems"] {
			err = errf("ErrorCannotCreateCalendarItemInNonCalendarFolder", "")
		}
		if err == nil && t.it.kind == kindContact && !isContactFolder(dst) && dst != m.dist["deleteditems"] {
			err = errf("ErrorCannotCreateContactInNonContactFolder", "")
		}
		if err != nil {
			msgs = append(msgs, errMsg("MoveItemResponseMessage", err))
			continue
		}
		old, oldF := t.it.id, t.it.folder
		m.moveItem(t.it, dst, c.s.now().UTC())
		c.s.emitItem(m, "MovedEvent", t.it, old, oldF)
		msg := respMsg("MoveItemResponseMessage", "NoError", "")
		msg.add((&node{Space: "m", Local: "Items"}).add(target{it: t.it}.idOnly(m)))
		msgs = append(msgs, msg)
	}
	return response("MoveItem", msgs...)
}
