package ewssim

import (
	"strings"
)

// target is a resolved item id: an item, or one occurrence of a recurring master.
type target struct {
	it    *item
	index int // occurrence index, 0 for the item itself
}

// resolveFolder resolves a FolderId or DistinguishedFolderId element.
func resolveFolder(m *mailbox, n *node) (*folder, *opError) {
	switch n.Local {
	case "DistinguishedFolderId":
		f := m.dist[n.attr("Id")]
		if f == nil {
			return nil, errf("ErrorFolderNotFound", "")
		}
		return f, nil
	case "FolderId":
		d, ok := decodeID(n.attr("Id"))
		if !ok || d.kind != idFolder {
			return nil, errf("ErrorInvalidIdMalformed", "Id is malformed.")
		}
		f := m.folders[n.attr("Id")]
		if f == nil || f.deleted || d.mbox != m.no {
			return nil, errf("ErrorFolderNotFound", "")
		}
		return f, nil
	}
	return nil, errf("ErrorInvalidRequest", "unsupported folder id %s", n.Local)
}

// firstFolder resolves the single folder id inside a TargetFolderId-like wrapper.
func firstFolder(m *mailbox, wrapper *node) (*folder, *opError) {
	if wrapper == nil || len(wrapper.Kids) == 0 {
		return nil, errf("ErrorFolderNotFound", "")
	}
	return resolveFolder(m, wrapper.Kids[0])
}

func lookupItemID(m *mailbox, id string) (*item, int, *opError) {
	d, ok := decodeID(id)
	if !ok || (d.kind != idItem && d.kind != idOccurrence) {
		return nil, 0, errf("ErrorInvalidIdMalformed", "Id is malformed.")
	}
	if d.mbox != m.no {
		return nil, 0, errf("ErrorItemNotFound", "")
	}
	if d.kind == idOccurrence {
		it := m.byNum[d.num]
		if it == nil {
			return nil, 0, errf("ErrorItemNotFound", "")
		}
		return it, int(d.index), nil
	}
	it := m.items[id]
	if it == nil {
		return nil, 0, errf("ErrorItemNotFound", "")
	}
	return it, 0, nil
}

// resolveItem resolves ItemId, OccurrenceItemId or RecurringMasterItemId
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrenceitemid).
func resolveItem(m *mailbox, n *node) (target, *opError) {
	switch n.Local {
	case "ItemId", "ParentItemId":
		it, idx, err := lookupItemID(m, n.attr("Id"))
		if err != nil {
			return target{}, err
		}
		if idx > 0 {
			if _, err := occurrenceItem(m, it, idx); err != nil {
				return target{}, err
			}
		}
		return target{it: it, index: idx}, nil
	case "OccurrenceItemId":
		it, idx, err := lookupItemID(m, n.attr("RecurringMasterId"))
		if err != nil {
			return target{}, err
		}
		if idx > 0 {
			return target{}, errf("ErrorInvalidIdMalformed", "RecurringMasterId is an occurrence id.")
		}
		index := atoi(n.attr("InstanceIndex"))
		if _, err := occurrenceItem(m, it, index); err != nil {
			return target{}, err
		}
		return target{it: it, index: index}, nil
	case "RecurringMasterItemId":
		it, _, err := lookupItemID(m, n.attr("OccurrenceId"))
		if err != nil {
			return target{}, err
		}
		if _, ok := seriesOf(it); !ok {
			return target{}, errf("ErrorItemNotFound", "The item is not part of a recurring series.")
		}
		return target{it: it}, nil
	}
	return target{}, errf("ErrorInvalidRequest", "unsupported item id %s", n.Local)
}

func atoi(s string) int {
	n := 0
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 {
		return -1
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return -1
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// render returns the item or occurrence as the full property set.
func (t target) render(m *mailbox) (*node, *opError) {
	if t.index > 0 {
		return occurrenceItem(m, t.it, t.index)
	}
	return fullItem(m, t.it), nil
}

// idOnly renders <t:Kind><t:ItemId/></t:Kind> for create/update responses.
func (t target) idOnly(m *mailbox) *node {
	id := t.it.id
	if t.index > 0 {
		id = occurrenceID(m, t.it, t.index)
	}
	return el(t.it.kind, "").add(itemIDNode(id, t.it.changeKey))
}

func isCalendarFolder(f *folder) bool { return strings.HasPrefix(f.class, "IPF.Appointment") }
func isContactFolder(f *folder) bool  { return strings.HasPrefix(f.class, "IPF.Contact") }

// opGetItem implements GetItem
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation).
func opGetItem(c *opCtx) *node {
	req := c.env.Body
	sh, perr := parseShape(req.child("ItemShape"))
	var msgs []*node
	for _, idn := range req.child("ItemIds").Kids {
		if perr != nil {
			msgs = append(msgs, errMsg("GetItemResponseMessage", perr))
			continue
		}
		t, err := resolveItem(c.box, idn)
		if err != nil {
			msgs = append(msgs, errMsg("GetItemResponseMessage", err))
			continue
		}
		full, err := t.render(c.box)
		if err != nil {
			msgs = append(msgs, errMsg("GetItemResponseMessage", err))
			continue
		}
		m := respMsg("GetItemResponseMessage", "NoError", "")
		m.add((&node{Space: "m", Local: "Items"}).add(project(full, t.it.kind, sh)))
		msgs = append(msgs, m)
	}
	return response("GetItem", msgs...)
}
