package event

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// occ is one event (a series master, an override or a single event) read
// from either side: the full wire item, read-only fields included, and what
// the item does not say directly.
type occ struct {
	item             *wire.CalendarItem
	start, end       time.Time // in their zones
	allDay, floating bool
	rrule            string    // master: the RRULE as EWS can hold it ("" if none)
	orig             time.Time // override: the original start (RECURRENCE-ID)
	exdates          []time.Time
	attachOK         bool           // every attachment's content is known
	limit            int            // the attachment bound in force
	zone             *time.Location // the start's zone (all-day: where midnight is)
}

// propTime reads a DATE or DATE-TIME property in its zone.
func propTime(p *ical.Prop, zs *zoneSet, o Options) (t time.Time, isDate, floating bool, err error) {
	v := strings.TrimSpace(p.Value)
	if p.Params.Get(ical.ParamValue) == string(ical.ValueDate) || len(v) == 8 {
		t, err = time.ParseInLocation("20060102", v, o.floating())
		if err != nil {
			return t, false, false, errf(ErrInvalid, p.Name, "bad date %q", v)
		}
		return t, true, true, nil
	}
	switch {
	case len(v) == 16 && v[15] == 'Z':
		t, err = time.Parse("20060102T150405Z", v)
	case len(v) == 15:
		if tzid := p.Params.Get(ical.ParamTimezoneID); tzid != "" {
			loc, zerr := zs.resolve(tzid)
			if zerr != nil {
				return t, false, false, zerr
			}
			t, err = time.ParseInLocation("20060102T150405", v, loc)
		} else {
			t, err = time.ParseInLocation("20060102T150405", v, o.floating())
			floating = true
		}
	default:
		err = fmt.Errorf("bad length")
	}
	if err != nil {
		return t, false, false, errf(ErrInvalid, p.Name, "bad date-time %q", v)
	}
	return t, false, floating, nil
}

// readEvent maps one VEVENT to a full wire item (RFC 5545 §3.6.1).
func readEvent(ev *ical.Component, zs *zoneSet, o Options) (*occ, []Issue, error) {
	var issues []Issue
	ci := &wire.CalendarItem{}
	oc := &occ{item: ci, attachOK: true}
	ds := ev.Props.Get(ical.PropDateTimeStart)
	if ds == nil {
		return nil, nil, errf(ErrInvalid, "DTSTART", "missing")
	}
	start, isDate, floating, err := propTime(ds, zs, o)
	if err != nil {
		return nil, nil, err
	}
	end := start
	switch {
	case ev.Props.Get(ical.PropDateTimeEnd) != nil:
		de := ev.Props.Get(ical.PropDateTimeEnd)
		e, eDate, _, err := propTime(de, zs, o)
		if err != nil {
			return nil, nil, err
		}
		if eDate != isDate {
			return nil, nil, errf(ErrInvalid, "DTEND", "value type differs from DTSTART")
		}
		end = e
	case ev.Props.Get(ical.PropDuration) != nil:
		d, err := ev.Props.Get(ical.PropDuration).Duration()
		if err != nil {
			return nil, nil, errf(ErrInvalid, "DURATION", "%v", err)
		}
		if isDate && d%(24*time.Hour) == 0 {
			end = start.AddDate(0, 0, int(d/(24*time.Hour)))
		} else {
			end = start.Add(d)
		}
	case isDate:
		end = start.AddDate(0, 0, 1)
	}
	if end.Before(start) {
		return nil, nil, errf(ErrInvalid, "DTEND", "%s is before DTSTART %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if isDate && !end.After(start) {
		end = start.AddDate(0, 0, 1)
	}
	oc.start, oc.end, oc.allDay, oc.floating = start, end, isDate, floating && !isDate
	oc.zone = start.Location()
	ci.Start, ci.End = wire.FormatDateTime(start), wire.FormatDateTime(end)
	ci.IsAllDayEvent = boolPtr(isDate)
	if sid, ok := windowsID(start.Location(), start); ok {
		ci.StartTimeZone = &wire.TimeZoneDefinition{Id: sid}
	} else {
		return nil, nil, errf(ErrUnknownTimeZone, "DTSTART", "zone %q has no Windows equivalent", start.Location())
	}
	if eid, ok := windowsID(end.Location(), end); ok {
		ci.EndTimeZone = &wire.TimeZoneDefinition{Id: eid}
	} else {
		return nil, nil, errf(ErrUnknownTimeZone, "DTEND", "zone %q has no Windows equivalent", end.Location())
	}
	if oc.floating {
		issues = append(issues, Issue{Prop: "DTSTART", Msg: "floating time placed in " + start.Location().String()})
	}
	if p := ev.Props.Get(ical.PropUID); p != nil {
		ci.UID = p.Value
	}
	ci.Subject = textProp(ev, ical.PropSummary)
	ci.Location = textProp(ev, ical.PropLocation)
	if d := textProp(ev, ical.PropDescription); d != "" || ev.Props.Get("X-ALT-DESC") != nil {
		ci.Body = &wire.Body{BodyType: wire.BodyTypeText, Value: d}
		if alt := ev.Props.Get("X-ALT-DESC"); alt != nil && strings.EqualFold(alt.Params.Get(ical.ParamFormatType), "text/html") {
			h, _ := alt.Text()
			if d == "" || htmlText(h) == normText(d) {
				ci.Body = &wire.Body{BodyType: wire.BodyTypeHTML, Value: h}
			}
		}
	}
	ci.LegacyFreeBusyStatus = busyFromICal(ev)
	ci.Importance = importanceFromPriority(ev)
	ci.Sensitivity = sensitivityFromClass(ev)
	if cats := categories(ev); len(cats) > 0 {
		ci.Categories = &wire.Strings{String: cats}
	}
	if s := textProp(ev, ical.PropStatus); strings.EqualFold(s, "CANCELLED") {
		ci.IsCancelled = boolPtr(true)
	}
	if m, ok := firstDisplayReminder(ev, start, end); ok {
		ci.ReminderIsSet = boolPtr(true)
		ci.ReminderMinutesBeforeStart = strconv.Itoa(m)
	} else {
		ci.ReminderIsSet = boolPtr(false)
	}
	orgEmail := ""
	if p := ev.Props.Get(ical.PropOrganizer); p != nil {
		orgEmail = mailto(p.Value)
		if orgEmail != "" {
			ci.Organizer = &wire.SingleRecipient{Mailbox: wire.Mailbox{Name: p.Params.Get(ical.ParamCommonName), EmailAddress: orgEmail, RoutingType: "SMTP"}}
		}
	}
	for _, p := range ev.Props.Values(ical.PropAttendee) {
		email := mailto(p.Value)
		if email == "" {
			issues = append(issues, Issue{Prop: "ATTENDEE", Msg: "attendee without an e-mail address kept locally only"})
			continue
		}
		if strings.EqualFold(email, orgEmail) {
			continue
		}
		a := wire.Attendee{Mailbox: wire.Mailbox{Name: p.Params.Get(ical.ParamCommonName), EmailAddress: email, RoutingType: "SMTP"}, ResponseType: responseFromPartstat(p.Params.Get(ical.ParamParticipationStatus))}
		cutype := strings.ToUpper(p.Params.Get(ical.ParamCalendarUserType))
		role := strings.ToUpper(p.Params.Get(ical.ParamRole))
		switch {
		case cutype == "RESOURCE" || cutype == "ROOM":
			ci.Resources = appendAttendee(ci.Resources, a)
		case role == "OPT-PARTICIPANT" || role == "NON-PARTICIPANT":
			ci.OptionalAttendees = appendAttendee(ci.OptionalAttendees, a)
		default:
			ci.RequiredAttendees = appendAttendee(ci.RequiredAttendees, a)
		}
	}
	for _, p := range ev.Props.Values(ical.PropAttach) {
		if !isBinaryAttach(p) {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p.Value))
		if err != nil {
			issues = append(issues, Issue{Prop: "ATTACH", Msg: "bad base64; kept locally only"})
			continue
		}
		name := attachName(p)
		if len(data) > o.maxAttachment() {
			issues = append(issues, Issue{Prop: "ATTACH", Msg: fmt.Sprintf("%q is %d bytes, over the %d byte limit; kept locally only", name, len(data), o.maxAttachment())})
			continue
		}
		if ci.Attachments == nil {
			ci.Attachments = &wire.Attachments{}
		}
		ct := p.Params.Get(ical.ParamFormatType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		ci.Attachments.Attachment = append(ci.Attachments.Attachment, wire.NewFileAttachment(name, ct, data))
	}
	return oc, issues, nil
}

func boolPtr(b bool) *bool { return &b }

func textProp(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	return unescapeText(p.Value)
}

// unescapeText reads a TEXT value (RFC 5545 §3.3.11) leniently: an
// unescaped comma is kept (clients send them), an unknown escape keeps the
// character.
func unescapeText(v string) string {
	if !strings.Contains(v, "\\") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			i++
			switch v[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(v[i])
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// splitText splits a multi-valued TEXT value on unescaped commas.
func splitText(v string) []string {
	var out []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case ',':
			out = append(out, unescapeText(v[start:i]))
			start = i + 1
		}
	}
	return append(out, unescapeText(v[start:]))
}

func appendAttendee(as *wire.Attendees, a wire.Attendee) *wire.Attendees {
	if as == nil {
		as = &wire.Attendees{}
	}
	as.Attendee = append(as.Attendee, a)
	return as
}

func mailto(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	if !strings.Contains(v, "@") || strings.ContainsAny(v, " <>\"\r\n\t") {
		return ""
	}
	return v
}

func isBinaryAttach(p ical.Prop) bool {
	return strings.EqualFold(p.Params.Get(ical.ParamValue), "BINARY") || strings.EqualFold(p.Params.Get(ical.ParamEncoding), "BASE64")
}

func attachName(p ical.Prop) string {
	for _, k := range []string{"FILENAME", "X-FILENAME", "X-APPLE-FILENAME", "X-ORACLE-FILENAME"} {
		if v := p.Params.Get(k); v != "" {
			return v
		}
	}
	sum := sha256.Sum256([]byte(p.Value))
	return fmt.Sprintf("attachment-%x", sum[:4])
}

// busyFromICal: X-MICROSOFT-CDO-BUSYSTATUS refines TRANSP, and TRANSP wins
// when they disagree (Nextcloud edits TRANSP only).
func busyFromICal(ev *ical.Component) string {
	transparent := strings.EqualFold(textProp(ev, ical.PropTransparency), "TRANSPARENT")
	cdo := strings.ToUpper(textProp(ev, "X-MICROSOFT-CDO-BUSYSTATUS"))
	switch {
	case transparent:
		return "Free"
	case cdo == "TENTATIVE":
		return "Tentative"
	case cdo == "OOF":
		return "OOF"
	case cdo == "WORKINGELSEWHERE":
		return "WorkingElsewhere"
	}
	return "Busy"
}

// importanceFromPriority: RFC 5545 §3.8.1.9 PRIORITY 1-4 high, 5 medium,
// 6-9 low, 0 undefined.
func importanceFromPriority(ev *ical.Component) string {
	p := ev.Props.Get(ical.PropPriority)
	if p == nil {
		return "Normal"
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.Value))
	switch {
	case err != nil || n == 0 || n == 5:
		return "Normal"
	case n >= 1 && n <= 4:
		return "High"
	case n >= 6 && n <= 9:
		return "Low"
	}
	return "Normal"
}

func sensitivityFromClass(ev *ical.Component) string {
	switch strings.ToUpper(textProp(ev, ical.PropClass)) {
	case "PRIVATE":
		return "Private"
	case "CONFIDENTIAL":
		return "Confidential"
	case "X-PERSONAL":
		return "Personal"
	}
	return "Normal"
}

func categories(ev *ical.Component) []string {
	var out []string
	for _, p := range ev.Props.Values(ical.PropCategories) {
		for _, c := range splitText(p.Value) {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

func responseFromPartstat(s string) string {
	switch strings.ToUpper(s) {
	case "ACCEPTED":
		return "Accept"
	case "DECLINED":
		return "Decline"
	case "TENTATIVE":
		return "Tentative"
	}
	return "NoResponseReceived"
}

// firstDisplayReminder returns the minutes before start of the first
// DISPLAY alarm (RFC 5545 §3.6.6), relative or absolute.
func firstDisplayReminder(ev *ical.Component, start, end time.Time) (int, bool) {
	a := firstDisplayAlarm(ev)
	if a == nil {
		return 0, false
	}
	tr := a.Props.Get(ical.PropTrigger)
	if tr == nil {
		return 0, false
	}
	var at time.Time
	if strings.EqualFold(tr.Params.Get(ical.ParamValue), "DATE-TIME") {
		t, err := time.Parse("20060102T150405Z", strings.TrimSpace(tr.Value))
		if err != nil {
			return 0, false
		}
		at = t
	} else {
		d, err := tr.Duration()
		if err != nil {
			return 0, false
		}
		base := start
		if strings.EqualFold(tr.Params.Get(ical.ParamRelated), "END") {
			base = end
		}
		at = base.Add(d)
	}
	m := int(start.Sub(at) / time.Minute)
	if m < 0 || m > 4*7*24*60*52 {
		return 0, false
	}
	return m, true
}

func firstDisplayAlarm(ev *ical.Component) *ical.Component {
	for _, c := range ev.Children {
		if c.Name == ical.CompAlarm && strings.EqualFold(textProp(c, ical.PropAction), "DISPLAY") {
			return c
		}
	}
	return nil
}
