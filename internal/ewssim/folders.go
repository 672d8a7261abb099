package ewssim

import (
	"strconv"
	"strings"
)

// folderElement names the folder element for a FolderClass
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/folders-ex15websvcsotherref).
func folderElement(f *folder) string {
	switch {
	case strings.HasPrefix(f.class, "IPF.Appointment"):
		return "CalendarFolder"
	case strings.HasPrefix(f.class, "IPF.Contact"):
		return "ContactsFolder"
	case strings.HasPrefix(f.class, "IPF.Task"):
		return "TasksFolder"
	}
	return "Folder"
}

func renderFolder(m *mailbox, f *folder, sh *node) *node {
	kind := folderElement(f)
	full := el(kind, "")
	full.add(el("FolderId", "", "Id", f.id, "ChangeKey", f.changeKey))
	if f.parent != nil {
		full.add(el("ParentFolderId", "", "Id", f.parent.id, "ChangeKey", f.parent.changeKey))
	}
	if f.class != "" {
		full.add(el("FolderClass", f.class))
	}
	full.add(el("DisplayName", f.name), el("TotalCount", strconv.Itoa(len(f.items))),
		el("ChildFolderCount", strconv.Itoa(len(m.children(f)))))
	if kind == "Folder" {
		full.add(el("UnreadCount", "0"))
	}
	if f.dist != "" && f.dist != "root" {
		full.add(el("DistinguishedFolderId", f.dist))
	}
	base := "Default"
	if sh != nil {
		base = sh.childText("BaseShape")
	}
	out := el(kind, "")
	switch base {
	case "IdOnly":
		out.add(full.child("FolderId"))
	case "AllProperties":
		out.Kids = full.Kids
	default:
		for _, k := range full.Kids {
			switch k.Local {
			case "FolderId", "DisplayName", "TotalCount", "ChildFolderCount", "UnreadCount":
				out.add(k)
			}
		}
	}
	if sh != nil {
		if ap := sh.child("AdditionalProperties"); ap != nil {
			for _, p := range ap.Kids {
				if p.Local != "FieldURI" {
					continue
				}
				_, name, _ := strings.Cut(p.attr("FieldURI"), ":")
				if c := full.child(name); c != nil && out.child(name) == nil {
					out.add(c)
				}
			}
		}
	}
	out = out.clone()
	sortKids(out, "t:"+kind+"Type")
	return out
}

// opGetFolder implements GetFolder
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation).
func opGetFolder(c *opCtx) *node {
	req := c.env.Body
	var msgs []*node
	for _, idn := range req.child("FolderIds").Kids {
		f, err := resolveFolder(c.box, idn)
		if err != nil {
			msgs = append(msgs, errMsg("GetFolderResponseMessage", err))
			continue
		}
		msg := respMsg("GetFolderResponseMessage", "NoError", "")
		msg.add((&node{Space: "m", Local: "Folders"}).add(renderFolder(c.box, f, req.child("FolderShape"))))
		msgs = append(msgs, msg)
	}
	return response("GetFolder", msgs...)
}

// opFindFolder implements FindFolder with Shallow and Deep traversal and an
// IndexedPageFolderView (restrictions are not evaluated)
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/findfolder-operation).
func opFindFolder(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	deep := req.attr("Traversal") == "Deep"
	var msgs []*node
	for _, idn := range req.child("ParentFolderIds").Kids {
		f, err := resolveFolder(m, idn)
		if err != nil {
			msgs = append(msgs, errMsg("FindFolderResponseMessage", err))
			continue
		}
		var list []*folder
		var walk func(p *folder)
		walk = func(p *folder) {
			for _, ch := range m.children(p) {
				list = append(list, ch)
				if deep {
					walk(ch)
				}
			}
		}
		walk(f)
		total := len(list)
		offset, maxN := 0, len(list)
		if v := req.child("IndexedPageFolderView"); v != nil {
			offset = max(0, atoi(v.attr("Offset")))
			if v.attr("BasePoint") == "End" {
				offset = max(0, total-offset-1)
			}
			if n := atoi(v.attr("MaxEntriesReturned")); n > 0 {
				maxN = n
			}
		}
		if offset > len(list) {
			offset = len(list)
		}
		page := list[offset:min(len(list), offset+maxN)]
		root := el("RootFolder", "", "IndexedPagingOffset", strconv.Itoa(offset+len(page)),
			"TotalItemsInView", strconv.Itoa(total), "IncludesLastItemInRange", strconv.FormatBool(offset+len(page) >= total))
		root.Space = "m"
		fs := el("Folders", "")
		for _, p := range page {
			fs.add(renderFolder(m, p, req.child("FolderShape")))
		}
		root.add(fs)
		msg := respMsg("FindFolderResponseMessage", "NoError", "")
		msg.add(root)
		msgs = append(msgs, msg)
	}
	return response("FindFolder", msgs...)
}

// opCreateFolder implements CreateFolder
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createfolder-operation).
func opCreateFolder(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	parent, perr := firstFolder(m, req.child("ParentFolderId"))
	var msgs []*node
	for _, in := range req.child("Folders").Kids {
		if perr != nil {
			msgs = append(msgs, errMsg("CreateFolderResponseMessage", perr))
			continue
		}
		name := in.childText("DisplayName")
		class := in.childText("FolderClass")
		if class == "" {
			class = map[string]string{"CalendarFolder": "IPF.Appointment", "ContactsFolder": "IPF.Contact", "TasksFolder": "IPF.Task"}[in.Local]
			if class == "" {
				class = "IPF.Note"
			}
		}
		var err *opError
		if name == "" {
			err = errf("ErrorInvalidFolderId", "A folder needs a DisplayName.")
		}
		for _, ch := range m.children(parent) {
			if strings.EqualFold(ch.name, name) {
				err = errf("ErrorFolderExists", "A folder with the specified name already exists.")
			}
		}
		if err != nil {
			msgs = append(msgs, errMsg("CreateFolderResponseMessage", err))
			continue
		}
		f := m.newFolder(parent, name, class, in.Local)
		c.s.emitFolder(m, "CreatedEvent", f)
		msg := respMsg("CreateFolderResponseMessage", "NoError", "")
		msg.add((&node{Space: "m", Local: "Folders"}).add(el(folderElement(f), "").add(el("FolderId", "", "Id", f.id, "ChangeKey", f.changeKey))))
		msgs = append(msgs, msg)
	}
	return response("CreateFolder", msgs...)
}

// opDeleteFolder implements DeleteFolder
// (https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletefolder-operation).
func opDeleteFolder(c *opCtx) *node {
	req := c.env.Body
	m := c.box
	var msgs []*node
	for _, idn := range req.child("FolderIds").Kids {
		f, err := resolveFolder(m, idn)
		if err == nil && f.dist != "" {
			err = errf("ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
		}
		if err != nil {
			msgs = append(msgs, errMsg("DeleteFolderResponseMessage", err))
			continue
		}
		var drop func(f *folder)
		drop = func(f *folder) {
			for _, ch := range m.children(f) {
				drop(ch)
			}
			for _, it := range f.items {
				m.removeItem(it)
			}
			f.deleted = true
		}
		drop(f)
		c.s.emitFolder(m, "DeletedEvent", f)
		msgs = append(msgs, respMsg("DeleteFolderResponseMessage", "NoError", ""))
	}
	return response("DeleteFolder", msgs...)
}
