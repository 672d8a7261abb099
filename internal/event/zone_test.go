package event

import (
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func TestWindowsTable(t *testing.T) {
	tests := []struct{ win, iana string }{
		{"W. Europe Standard Time", "Europe/Berlin"},
		{"Eastern Standard Time", "America/New_York"},
		{"AUS Eastern Standard Time", "Australia/Sydney"},
		{"UTC", "Etc/UTC"},
	}
	for _, tt := range tests {
		if got, ok := WindowsToIANA(tt.win); !ok || got != tt.iana {
			t.Errorf("WindowsToIANA(%q) = %q, %v, want %q", tt.win, got, ok, tt.iana)
		}
		if got, ok := IANAToWindows(tt.iana); !ok || got != tt.win {
			t.Errorf("IANAToWindows(%q) = %q, %v, want %q", tt.iana, got, ok, tt.win)
		}
	}
	for alias, win := range map[string]string{"Europe/Vienna": "W. Europe Standard Time", "Asia/Kolkata": "India Standard Time", "Asia/Calcutta": "India Standard Time", "US/Eastern": "Eastern Standard Time"} {
		if got, ok := IANAToWindows(alias); !ok || got != win {
			t.Errorf("IANAToWindows(%q) = %q, %v, want %q", alias, got, ok, win)
		}
	}
	for win, iana := range windowsToIANA {
		if _, ok := loadIANA(iana); !ok {
			t.Errorf("canonical zone %q of %q does not load", iana, win)
		}
	}
	if len(windowsToIANA) < 100 || len(ianaToWindows) < 400 {
		t.Errorf("table sizes %d, %d: generator output too small", len(windowsToIANA), len(ianaToWindows))
	}
}

func TestZoneByName(t *testing.T) {
	for name, want := range map[string]string{
		"Europe/Berlin":                                            "Europe/Berlin",
		"W. Europe Standard Time":                                  "Europe/Berlin",
		"/mozilla.org/20050126_1/Europe/Berlin":                    "Europe/Berlin",
		"/freeassociation.sourceforge.net/Tzfile/Australia/Sydney": "Australia/Sydney",
	} {
		loc, ok := zoneByName(name)
		if !ok || loc.String() != want {
			t.Errorf("zoneByName(%q) = %v, %v, want %s", name, loc, ok, want)
		}
	}
	for _, name := range []string{"Local", "", "../../etc/passwd", "Mars/Base"} {
		if loc, ok := zoneByName(name); ok {
			t.Errorf("zoneByName(%q) = %v, want not found", name, loc)
		}
	}
}

// TestVTimezoneRoundTrip emits a VTIMEZONE for zones with DST in both
// hemispheres and reads its rules back under a non-IANA TZID: the offsets
// agree with tzdata hour by hour over two years.
func TestVTimezoneRoundTrip(t *testing.T) {
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "America/Sao_Paulo"} {
		t.Run(name, func(t *testing.T) {
			loc := mustZone(name)
			from := time.Date(2024, 6, 1, 0, 0, 0, 0, loc)
			vt := VTimezone(loc, from)
			if vt == nil || len(vt.Children) == 0 {
				t.Fatalf("VTimezone(%s) = %v", name, vt)
			}
			vt.Props.SetText(ical.PropTimezoneID, "Custom "+name)
			got, err := zoneFromVTimezone("Custom "+name, vt)
			if err != nil {
				t.Fatalf("zoneFromVTimezone() error %v", err)
			}
			for ts := from; ts.Before(from.AddDate(2, 0, 0)); ts = ts.Add(time.Hour) {
				_, o1 := ts.In(got).Zone()
				_, o2 := ts.In(loc).Zone()
				if o1 != o2 {
					t.Fatalf("offset at %v = %d, want %d", ts.UTC(), o1, o2)
				}
			}
		})
	}
	if VTimezone(time.UTC, time.Now()) != nil {
		t.Errorf("VTimezone(UTC) != nil")
	}
}

func TestZoneFromDefinition(t *testing.T) {
	// A custom definition as Exchange sends it, with an Id it does not know.
	def := &wire.TimeZoneDefinition{
		Id: "Customized Time Zone",
		Periods: &wire.Periods{Period: []wire.Period{
			{Bias: "-PT1H", Name: "Standard", Id: "trule:Custom/2006-Standard"},
			{Bias: "-PT2H", Name: "Daylight", Id: "trule:Custom/2006-Daylight"},
		}},
		TransitionsGroups: &wire.TransitionsGroups{TransitionsGroup: []wire.TransitionsGroup{{
			Id: "0",
			Transition: []wire.Transition{
				{XMLName: xmlName("RecurringDayTransition"), To: wire.TransitionTarget{Kind: "Period", Value: "trule:Custom/2006-Daylight"}, TimeOffset: "PT2H", Month: 3, DayOfWeek: "Sunday", Occurrence: -1},
				{XMLName: xmlName("RecurringDayTransition"), To: wire.TransitionTarget{Kind: "Period", Value: "trule:Custom/2006-Standard"}, TimeOffset: "PT3H", Month: 10, DayOfWeek: "Sunday", Occurrence: -1},
			},
		}}},
		Transitions: &wire.TransitionsElement{Transition: []wire.Transition{{XMLName: xmlName("Transition"), To: wire.TransitionTarget{Kind: "Group", Value: "0"}}}},
	}
	loc, err := zoneFromDefinition(def)
	if err != nil {
		t.Fatalf("zoneFromDefinition() error %v", err)
	}
	for ts := time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC); ts.Year() < 2026; ts = ts.Add(time.Hour) {
		_, o1 := ts.In(loc).Zone()
		_, o2 := ts.In(berlin).Zone()
		if o1 != o2 {
			t.Fatalf("offset at %v = %d, want %d", ts, o1, o2)
		}
	}
	// Known Id: straight to tzdata.
	if loc, err := zoneFromDefinition(&wire.TimeZoneDefinition{Id: "Eastern Standard Time"}); err != nil || loc.String() != "America/New_York" {
		t.Errorf("zoneFromDefinition(Eastern) = %v, %v", loc, err)
	}
	// Exchange 2007 MeetingTimeZone.
	mtz := &wire.MeetingTimeZone{TimeZoneName: "Pacific (legacy)", BaseOffset: "PT8H",
		Standard: &wire.TimeChange{Offset: "PT0M", Time: "02:00:00", RelativeYearly: &wire.RelativeYearlyRecurrence{DaysOfWeek: "Sunday", DayOfWeekIndex: "First", Month: "November"}},
		Daylight: &wire.TimeChange{Offset: "-PT60M", Time: "02:00:00", RelativeYearly: &wire.RelativeYearlyRecurrence{DaysOfWeek: "Sunday", DayOfWeekIndex: "Second", Month: "March"}}}
	la := mustZone("America/Los_Angeles")
	loc, err = zoneFromMeetingTimeZone(mtz)
	if err != nil {
		t.Fatalf("zoneFromMeetingTimeZone() error %v", err)
	}
	for ts := time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC); ts.Year() < 2026; ts = ts.Add(time.Hour) {
		_, o1 := ts.In(loc).Zone()
		_, o2 := ts.In(la).Zone()
		if o1 != o2 {
			t.Fatalf("MeetingTimeZone offset at %v = %d, want %d", ts, o1, o2)
		}
	}
}

func TestParseXSDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"-PT1H": -time.Hour, "PT2H30M": 150 * time.Minute, "-P0DT8H0M0.0S": -8 * time.Hour, "PT0M": 0, "P1D": 24 * time.Hour} {
		if got, err := parseXSDuration(in); err != nil || got != want {
			t.Errorf("parseXSDuration(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "1H", "PTXH", "P1H"} {
		if _, err := parseXSDuration(in); err == nil {
			t.Errorf("parseXSDuration(%q) = nil error", in)
		}
	}
}

func TestWindowsIDEquivalent(t *testing.T) {
	// A rule-based zone identical to Berlin's maps to a Windows zone with the
	// same offsets.
	z := posixZone{std: 3600, dst: 7200, hasDST: true,
		toDST: posixRule{month: 3, week: 5, at: 7200}, toStd: posixRule{month: 10, week: 5, at: 10800}}
	loc, err := z.location("Customized Time Zone")
	if err != nil {
		t.Fatal(err)
	}
	id, ok := windowsID(loc, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	if !ok {
		t.Fatalf("windowsID() found nothing")
	}
	cand := mustZone(windowsToIANA[id])
	for ts := time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC); ts.Year() < 2025; ts = ts.Add(time.Hour) {
		_, o1 := ts.In(loc).Zone()
		_, o2 := ts.In(cand).Zone()
		if o1 != o2 {
			t.Fatalf("windowsID() = %q (%s), offset at %v = %d, want %d", id, cand, ts, o2, o1)
		}
	}
}
