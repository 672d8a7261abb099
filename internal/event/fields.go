package event

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// field is one mapped property: its canonical key (equal keys mean equal
// content on both sides), the iCalendar properties it owns, how to write
// them from an item, and the EWS paths that carry it.
type field struct {
	name   string
	master bool // only on a series master or single event
	hashed bool // part of the content hash (false: read-only in EWS)
	key    func(o *occ) string
	write  func(ev *ical.Component, o *occ) // replaces the owned properties
	paths  []pathCopy
}

// pathCopy copies one EWS property from src to dst; empty reports whether
// src has no value (the update is then a DeleteItemField).
type pathCopy struct {
	path  wire.Path
	copy  func(dst, src *wire.CalendarItem)
	empty func(src *wire.CalendarItem) bool
}

func timeKey(t time.Time, allDay bool) string {
	if allDay {
		return t.Format("2006-01-02")
	}
	return t.UTC().Format("20060102T150405Z")
}

func zoneKey(loc *time.Location, at time.Time) string {
	id, _ := windowsID(loc, at)
	return id
}

var fields = []field{
	{name: "time", hashed: true,
		key:   timeFieldKey,
		write: writeTimes,
		paths: []pathCopy{
			{wire.Field("calendar:Start"), func(d, s *wire.CalendarItem) { d.Start = s.Start }, func(s *wire.CalendarItem) bool { return false }},
			{wire.Field("calendar:End"), func(d, s *wire.CalendarItem) { d.End = s.End }, func(s *wire.CalendarItem) bool { return false }},
			{wire.Field("calendar:IsAllDayEvent"), func(d, s *wire.CalendarItem) { d.IsAllDayEvent = s.IsAllDayEvent }, func(s *wire.CalendarItem) bool { return s.IsAllDayEvent == nil }},
			{wire.Field("calendar:StartTimeZone"), func(d, s *wire.CalendarItem) { d.StartTimeZone = s.StartTimeZone }, func(s *wire.CalendarItem) bool { return s.StartTimeZone == nil }},
			{wire.Field("calendar:EndTimeZone"), func(d, s *wire.CalendarItem) { d.EndTimeZone = s.EndTimeZone }, func(s *wire.CalendarItem) bool { return s.EndTimeZone == nil }},
		}},
	{name: "subject", hashed: true,
		key:   func(o *occ) string { return strings.TrimSpace(o.item.Subject) },
		write: func(ev *ical.Component, o *occ) { setText(ev, ical.PropSummary, o.item.Subject) },
		paths: []pathCopy{{wire.Field("item:Subject"), func(d, s *wire.CalendarItem) { d.Subject = s.Subject }, func(s *wire.CalendarItem) bool { return s.Subject == "" }}}},
	{name: "body", hashed: true,
		key:   func(o *occ) string { return bodyText(o.item.Body) },
		write: writeBody,
		paths: []pathCopy{{wire.Field("item:Body"), func(d, s *wire.CalendarItem) { d.Body = s.Body }, func(s *wire.CalendarItem) bool { return s.Body == nil || s.Body.Value == "" }}}},
	{name: "location", hashed: true,
		key:   func(o *occ) string { return strings.TrimSpace(o.item.Location) },
		write: func(ev *ical.Component, o *occ) { setText(ev, ical.PropLocation, o.item.Location) },
		paths: []pathCopy{{wire.Field("calendar:Location"), func(d, s *wire.CalendarItem) { d.Location = s.Location }, func(s *wire.CalendarItem) bool { return s.Location == "" }}}},
	{name: "busy", hashed: true,
		key:   func(o *occ) string { return busyKey(o.item.LegacyFreeBusyStatus) },
		write: writeBusy,
		paths: []pathCopy{{wire.Field("calendar:LegacyFreeBusyStatus"), func(d, s *wire.CalendarItem) { d.LegacyFreeBusyStatus = busyKey(s.LegacyFreeBusyStatus) }, func(s *wire.CalendarItem) bool { return false }}}},
	{name: "importance", hashed: true,
		key:   func(o *occ) string { return orDefault(o.item.Importance, "Normal") },
		write: writePriority,
		paths: []pathCopy{{wire.Field("item:Importance"), func(d, s *wire.CalendarItem) { d.Importance = orDefault(s.Importance, "Normal") }, func(s *wire.CalendarItem) bool { return false }}}},
	{name: "sensitivity", hashed: true,
		key:   func(o *occ) string { return orDefault(o.item.Sensitivity, "Normal") },
		write: writeClass,
		paths: []pathCopy{{wire.Field("item:Sensitivity"), func(d, s *wire.CalendarItem) { d.Sensitivity = orDefault(s.Sensitivity, "Normal") }, func(s *wire.CalendarItem) bool { return false }}}},
	{name: "categories", hashed: true,
		key:   func(o *occ) string { return strings.Join(sortedCategories(o.item), "\x1f") },
		write: writeCategories,
		paths: []pathCopy{{wire.Field("item:Categories"), func(d, s *wire.CalendarItem) { d.Categories = s.Categories }, func(s *wire.CalendarItem) bool { return len(sortedCategories(s)) == 0 }}}},
	{name: "reminder", hashed: true,
		key: func(o *occ) string {
			if m, ok := reminderMinutes(o.item); ok {
				return strconv.Itoa(m)
			}
			return "off"
		},
		write: writeReminder,
		paths: []pathCopy{
			{wire.Field("item:ReminderIsSet"), func(d, s *wire.CalendarItem) {
				_, ok := reminderMinutes(s)
				d.ReminderIsSet = boolPtr(ok)
			}, func(s *wire.CalendarItem) bool { return false }},
			{wire.Field("item:ReminderMinutesBeforeStart"), func(d, s *wire.CalendarItem) { d.ReminderMinutesBeforeStart = s.ReminderMinutesBeforeStart }, func(s *wire.CalendarItem) bool {
				_, ok := reminderMinutes(s)
				return !ok
			}},
		}},
	{name: "attendees", hashed: true,
		key:   attendeesKey,
		write: writeAttendees,
		paths: []pathCopy{
			{wire.Field("calendar:RequiredAttendees"), func(d, s *wire.CalendarItem) { d.RequiredAttendees = s.RequiredAttendees }, func(s *wire.CalendarItem) bool {
				return s.RequiredAttendees == nil || len(s.RequiredAttendees.Attendee) == 0
			}},
			{wire.Field("calendar:OptionalAttendees"), func(d, s *wire.CalendarItem) { d.OptionalAttendees = s.OptionalAttendees }, func(s *wire.CalendarItem) bool {
				return s.OptionalAttendees == nil || len(s.OptionalAttendees.Attendee) == 0
			}},
			{wire.Field("calendar:Resources"), func(d, s *wire.CalendarItem) { d.Resources = s.Resources }, func(s *wire.CalendarItem) bool { return s.Resources == nil || len(s.Resources.Attendee) == 0 }},
		}},
	{name: "attachments", hashed: true,
		key:   attachmentsKey,
		write: writeAttachments},
	{name: "organizer",
		key: func(o *occ) string {
			if o.item.Organizer == nil {
				return ""
			}
			return strings.ToLower(o.item.Organizer.Mailbox.EmailAddress)
		},
		write: writeOrganizer},
	{name: "cancelled",
		key:   func(o *occ) string { return strconv.FormatBool(o.item.IsCancelled != nil && *o.item.IsCancelled) },
		write: writeCancelled},
	{name: "recurrence", master: true, hashed: true,
		key:   func(o *occ) string { return o.rrule },
		write: writeRRule,
		paths: []pathCopy{{wire.Field("calendar:Recurrence"), func(d, s *wire.CalendarItem) { d.Recurrence = s.Recurrence }, func(s *wire.CalendarItem) bool { return s.Recurrence == nil }}}},
}

// timeFieldKey is the key of start, end and their zones: dates for all-day
// events, else UTC instants and Windows zone ids.
func timeFieldKey(o *occ) string {
	if o.allDay {
		return "D" + timeKey(o.start, true) + "/" + timeKey(o.end, true)
	}
	return timeKey(o.start, false) + "/" + timeKey(o.end, false) + "/" + zoneKey(o.start.Location(), o.start) + "/" + zoneKey(o.end.Location(), o.end)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func busyKey(s string) string {
	switch s {
	case "Free", "Tentative", "OOF", "WorkingElsewhere":
		return s
	}
	return "Busy"
}

func bodyText(b *wire.Body) string {
	if b == nil {
		return ""
	}
	if strings.EqualFold(b.BodyType, wire.BodyTypeHTML) {
		return htmlText(b.Value)
	}
	return normText(b.Value)
}

func sortedCategories(ci *wire.CalendarItem) []string {
	if ci.Categories == nil {
		return nil
	}
	var out []string
	for _, c := range ci.Categories.String {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func attendeeKeys(ci *wire.CalendarItem) []string {
	var out []string
	org := ""
	if ci.Organizer != nil {
		org = strings.ToLower(ci.Organizer.Mailbox.EmailAddress)
	}
	add := func(kind string, as *wire.Attendees) {
		if as == nil {
			return
		}
		for _, a := range as.Attendee {
			email := strings.ToLower(mailto(a.Mailbox.EmailAddress))
			if email == "" || email == org {
				continue // no SMTP address (an EX routing address): not mapped
			}
			out = append(out, kind+"|"+email+"|"+partstat(a.ResponseType))
		}
	}
	add("R", ci.RequiredAttendees)
	add("O", ci.OptionalAttendees)
	add("X", ci.Resources)
	sort.Strings(out)
	return out
}

func attendeesKey(o *occ) string { return strings.Join(attendeeKeys(o.item), "\x1f") }

func partstat(resp string) string {
	switch resp {
	case "Accept", "Organizer":
		return "ACCEPTED"
	case "Decline":
		return "DECLINED"
	case "Tentative":
		return "TENTATIVE"
	}
	return "NEEDS-ACTION"
}

func attachmentsKey(o *occ) string {
	if o.item.Attachments == nil {
		return ""
	}
	var out []string
	for _, a := range o.item.Attachments.Attachment {
		if !a.IsFile() || (a.IsContactPhoto != nil && *a.IsContactPhoto) {
			continue
		}
		if a.Content == nil {
			out = append(out, a.Name+"|?")
			continue
		}
		if o.limit > 0 && len(a.Content) > o.limit {
			continue // over the bound: stays on its side only
		}
		sum := sha256.Sum256(a.Content)
		out = append(out, fmt.Sprintf("%s|%x", a.Name, sum[:8]))
	}
	sort.Strings(out)
	return strings.Join(out, "\x1f")
}

// escapeText writes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

func setText(ev *ical.Component, name, v string) {
	if v == "" {
		ev.Props.Del(name)
		return
	}
	ev.Props.Set(&ical.Prop{Name: name, Params: ical.Params{}, Value: escapeText(v)})
}

// tzidOf returns the TZID for a zone: its name, which is the IANA name for
// every zone resolved by name.
func tzidOf(loc *time.Location) string { return loc.String() }

func setTime(ev *ical.Component, name string, t time.Time, allDay, floating bool) {
	p := &ical.Prop{Name: name, Params: ical.Params{}}
	switch {
	case allDay:
		p.Params.Set(ical.ParamValue, "DATE")
		p.Value = t.Format("20060102")
	case floating:
		p.Value = t.Format("20060102T150405")
	case t.Location() == time.UTC:
		p.Value = t.UTC().Format("20060102T150405Z")
	default:
		p.Params.Set(ical.ParamTimezoneID, tzidOf(t.Location()))
		p.Value = t.Format("20060102T150405")
	}
	ev.Props.Set(p)
}

func writeTimes(ev *ical.Component, o *occ) {
	ev.Props.Del(ical.PropDuration)
	setTime(ev, ical.PropDateTimeStart, o.start, o.allDay, o.floating)
	setTime(ev, ical.PropDateTimeEnd, o.end, o.allDay, o.floating)
}

func writeBody(ev *ical.Component, o *occ) {
	ev.Props.Del("X-ALT-DESC")
	b := o.item.Body
	if b == nil || strings.TrimSpace(b.Value) == "" {
		ev.Props.Del(ical.PropDescription)
		return
	}
	if strings.EqualFold(b.BodyType, wire.BodyTypeHTML) {
		setText(ev, ical.PropDescription, htmlText(b.Value))
		p := &ical.Prop{Name: "X-ALT-DESC", Params: ical.Params{}, Value: escapeText(b.Value)}
		p.Params.Set(ical.ParamFormatType, "text/html")
		ev.Props.Set(p)
		return
	}
	setText(ev, ical.PropDescription, strings.ReplaceAll(b.Value, "\r\n", "\n"))
}

func writeBusy(ev *ical.Component, o *occ) {
	b := busyKey(o.item.LegacyFreeBusyStatus)
	if b == "Free" {
		setText(ev, ical.PropTransparency, "TRANSPARENT")
	} else {
		setText(ev, ical.PropTransparency, "OPAQUE")
	}
	setText(ev, "X-MICROSOFT-CDO-BUSYSTATUS", strings.ToUpper(b))
}

func writePriority(ev *ical.Component, o *occ) {
	switch o.item.Importance {
	case "High":
		ev.Props.Set(&ical.Prop{Name: ical.PropPriority, Params: ical.Params{}, Value: "1"})
	case "Low":
		ev.Props.Set(&ical.Prop{Name: ical.PropPriority, Params: ical.Params{}, Value: "9"})
	default:
		ev.Props.Del(ical.PropPriority)
	}
}

func writeClass(ev *ical.Component, o *occ) {
	switch o.item.Sensitivity {
	case "Private":
		setText(ev, ical.PropClass, "PRIVATE")
	case "Confidential":
		setText(ev, ical.PropClass, "CONFIDENTIAL")
	case "Personal":
		setText(ev, ical.PropClass, "X-PERSONAL")
	default:
		if ev.Props.Get(ical.PropClass) != nil {
			setText(ev, ical.PropClass, "PUBLIC")
		}
	}
}

func writeCategories(ev *ical.Component, o *occ) {
	ev.Props.Del(ical.PropCategories)
	var cats []string
	if o.item.Categories != nil {
		for _, c := range o.item.Categories.String {
			if c = strings.TrimSpace(c); c != "" {
				cats = append(cats, escapeText(c))
			}
		}
	}
	if len(cats) > 0 {
		ev.Props.Set(&ical.Prop{Name: ical.PropCategories, Params: ical.Params{}, Value: strings.Join(cats, ",")})
	}
}

func writeReminder(ev *ical.Component, o *occ) {
	m, ok := reminderMinutes(o.item)
	idx := -1
	for i, c := range ev.Children {
		if c.Name == ical.CompAlarm && strings.EqualFold(textProp(c, ical.PropAction), "DISPLAY") {
			idx = i
			break
		}
	}
	if !ok {
		if idx >= 0 {
			ev.Children = append(ev.Children[:idx:idx], ev.Children[idx+1:]...)
		}
		return
	}
	trigger := &ical.Prop{Name: ical.PropTrigger, Params: ical.Params{}, Value: fmt.Sprintf("-PT%dM", m)}
	if m == 0 {
		trigger.Value = "PT0S"
	}
	if idx >= 0 {
		ev.Children[idx].Props.Set(trigger)
		return
	}
	a := ical.NewComponent(ical.CompAlarm)
	setText(a, ical.PropAction, "DISPLAY")
	setText(a, ical.PropDescription, "Reminder")
	a.Props.Set(trigger)
	ev.Children = append(ev.Children, a)
}

func writeAttendees(ev *ical.Component, o *occ) {
	org := ""
	if p := ev.Props.Get(ical.PropOrganizer); p != nil {
		org = strings.ToLower(mailto(p.Value))
	}
	if o.item.Organizer != nil {
		org = strings.ToLower(o.item.Organizer.Mailbox.EmailAddress)
	}
	// Keep what is not ours: the organizer listed as attendee, attendees
	// without an address.
	var keep []ical.Prop
	for _, p := range ev.Props.Values(ical.PropAttendee) {
		if e := strings.ToLower(mailto(p.Value)); e == "" || e == org {
			keep = append(keep, p)
		}
	}
	ev.Props.Del(ical.PropAttendee)
	for _, p := range keep {
		ev.Props.Add(&p)
	}
	add := func(as *wire.Attendees, role, cutype string) {
		if as == nil {
			return
		}
		for _, a := range as.Attendee {
			email := mailto(a.Mailbox.EmailAddress)
			if email == "" || strings.EqualFold(email, org) {
				continue
			}
			p := &ical.Prop{Name: ical.PropAttendee, Params: ical.Params{}, Value: "mailto:" + email}
			if n := safeParam(a.Mailbox.Name); n != "" {
				p.Params.Set(ical.ParamCommonName, n)
			}
			p.Params.Set(ical.ParamRole, role)
			if cutype != "" {
				p.Params.Set(ical.ParamCalendarUserType, cutype)
			}
			p.Params.Set(ical.ParamParticipationStatus, partstat(a.ResponseType))
			ev.Props.Add(p)
		}
	}
	add(o.item.RequiredAttendees, "REQ-PARTICIPANT", "")
	add(o.item.OptionalAttendees, "OPT-PARTICIPANT", "")
	add(o.item.Resources, "NON-PARTICIPANT", "RESOURCE")
}

// safeParam drops what a parameter value cannot hold (RFC 5545 §3.1: no
// DQUOTE, no control characters).
func safeParam(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func writeOrganizer(ev *ical.Component, o *occ) {
	if o.item.Organizer == nil || mailto(o.item.Organizer.Mailbox.EmailAddress) == "" {
		ev.Props.Del(ical.PropOrganizer)
		return
	}
	p := &ical.Prop{Name: ical.PropOrganizer, Params: ical.Params{}, Value: "mailto:" + o.item.Organizer.Mailbox.EmailAddress}
	if n := safeParam(o.item.Organizer.Mailbox.Name); n != "" {
		p.Params.Set(ical.ParamCommonName, n)
	}
	ev.Props.Set(p)
}

func writeCancelled(ev *ical.Component, o *occ) {
	if o.item.IsCancelled != nil && *o.item.IsCancelled {
		setText(ev, ical.PropStatus, "CANCELLED")
	} else if strings.EqualFold(textProp(ev, ical.PropStatus), "CANCELLED") {
		ev.Props.Del(ical.PropStatus)
	}
}

func writeRRule(ev *ical.Component, o *occ) {
	if o.rrule == "" {
		ev.Props.Del(ical.PropRecurrenceRule)
		return
	}
	ev.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{}, Value: o.rrule})
}

func writeAttachments(ev *ical.Component, o *occ) {
	if !o.attachOK {
		return // contents not fetched: leave the local attachments alone
	}
	var keep []ical.Prop
	for _, p := range ev.Props.Values(ical.PropAttach) {
		if !isBinaryAttach(p) {
			keep = append(keep, p)
			continue
		}
		if data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p.Value)); err != nil || len(data) > o.limit {
			keep = append(keep, p) // never mapped: kept
		}
	}
	ev.Props.Del(ical.PropAttach)
	for _, p := range keep {
		ev.Props.Add(&p)
	}
	if o.item.Attachments == nil {
		return
	}
	for _, a := range o.item.Attachments.Attachment {
		if !a.IsFile() || a.Content == nil || (a.IsContactPhoto != nil && *a.IsContactPhoto) || len(a.Content) > o.limit {
			continue
		}
		p := &ical.Prop{Name: ical.PropAttach, Params: ical.Params{}, Value: base64.StdEncoding.EncodeToString(a.Content)}
		p.Params.Set(ical.ParamValue, "BINARY")
		p.Params.Set(ical.ParamEncoding, "BASE64")
		if a.ContentType != "" {
			p.Params.Set(ical.ParamFormatType, safeParam(a.ContentType))
		}
		if n := safeParam(a.Name); n != "" {
			p.Params.Set("FILENAME", n)
		}
		ev.Props.Add(p)
	}
}
