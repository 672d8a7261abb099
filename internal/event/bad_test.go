package event

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func TestBadICal(t *testing.T) {
	tests := []struct {
		file string
		want error
	}{
		{"missing-dtstart.ics", ErrInvalid},
		{"dtend-before-dtstart.ics", ErrInvalid},
		{"unknown-tzid.ics", ErrUnknownTimeZone},
		{"vtimezone-no-rules.ics", ErrUnknownTimeZone},
		{"rrule-garbage.ics", ErrInvalid},
		{"rrule-count-zero.ics", ErrInvalid},
		{"rrule-hourly.ics", ErrNotRepresentable},
		{"rrule-bymonthday-several.ics", ErrNotRepresentable},
		{"rrule-byweekno.ics", ErrNotRepresentable},
		{"rrule-byyearday.ics", ErrNotRepresentable},
		{"rrule-count-1000.ics", ErrNotRepresentable},
		{"rrule-monthday-31.ics", ErrNotRepresentable},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cal := parseFile(t, "testdata/bad/"+tt.file)
			_, _, err := FromICal(cal, testOptions)
			if !errors.Is(err, tt.want) {
				t.Fatalf("FromICal(%s) error = %v, want %v", tt.file, err, tt.want)
			}
			if _, err := HashICal(cal, testOptions); !errors.Is(err, tt.want) {
				t.Errorf("HashICal(%s) error = %v, want %v", tt.file, err, tt.want)
			}
			if got := IsNotRepresentable(err); got != (tt.want == ErrNotRepresentable) {
				t.Errorf("IsNotRepresentable(%v) = %v", err, got)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"vcard", string(readFile(t, "testdata/bad/not-a-calendar.ics")), ErrInvalid},
		{"truncated", string(readFile(t, "testdata/bad/truncated.ics")), ErrInvalid},
		{"empty", "", ErrInvalid},
		{"deep", "BEGIN:VCALENDAR\n" + strings.Repeat("BEGIN:X\n", 100) + strings.Repeat("END:X\n", 100) + "END:VCALENDAR\n", ErrInvalid},
		{"latin1", "BEGIN:VCALENDAR\nSUMMARY:\xe9\nEND:VCALENDAR\n", ErrInvalid},
		{"huge", "BEGIN:VCALENDAR\n" + strings.Repeat("X", MaxObjectSize), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.data)); !errors.Is(err, tt.want) {
				t.Errorf("Parse() error = %v, want %v", err, tt.want)
			}
		})
	}
}

func eventWith(extra string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x@example.com\r\nDTSTAMP:20240101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:20240101T100000\r\nDTEND;TZID=Europe/Berlin:20240101T110000\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n"
}

func TestTenThousandExdates(t *testing.T) {
	var b strings.Builder
	b.WriteString("RRULE:FREQ=DAILY\r\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "EXDATE;TZID=Europe/Berlin:%s\r\n", berlinDay(i))
	}
	cal, err := Parse([]byte(eventWith(b.String())))
	if err != nil {
		t.Fatalf("Parse() error %v", err)
	}
	if _, _, err := FromICal(cal, testOptions); !errors.Is(err, ErrTooLarge) {
		t.Errorf("FromICal(10000 EXDATEs) error = %v, want ErrTooLarge", err)
	}
}

func berlinDay(i int) string {
	return time.Date(2024, 1, 2+i, 10, 0, 0, 0, time.UTC).Format("20060102T150405")
}

func TestLargeAttachmentStaysLocal(t *testing.T) {
	big := base64.StdEncoding.EncodeToString(make([]byte, 20<<20))
	small := base64.StdEncoding.EncodeToString([]byte("minutes"))
	cal, err := Parse([]byte(eventWith("ATTACH;VALUE=BINARY;ENCODING=BASE64;FILENAME=big.bin:" + big + "\r\n" +
		"ATTACH;VALUE=BINARY;ENCODING=BASE64;FILENAME=minutes.txt;FMTTYPE=text/plain:" + small + "\r\n")))
	if err != nil {
		t.Fatalf("Parse() error %v", err)
	}
	s, issues, err := FromICal(cal, testOptions)
	if err != nil {
		t.Fatalf("FromICal() error %v", err)
	}
	if len(s.Attachments) != 1 || s.Attachments[0].Name != "minutes.txt" {
		t.Fatalf("Attachments = %+v, want only minutes.txt", s.Attachments)
	}
	if len(issues) == 0 || !strings.Contains(issues[0].Msg, "big.bin") {
		t.Errorf("issues = %v, want one about big.bin", issues)
	}
	// Merging the remote state back keeps the big attachment locally.
	master, excs := fakeServer(t, s, false)
	merged, _, err := MergeIntoICal(cal, master, excs, testOptions)
	if err != nil {
		t.Fatalf("MergeIntoICal() error %v", err)
	}
	n := 0
	for _, c := range merged.Children {
		n += len(c.Props.Values("ATTACH"))
	}
	if n != 2 {
		t.Errorf("merged object has %d ATTACH, want 2", n)
	}
}

func TestBadEWS(t *testing.T) {
	base := func() *wire.CalendarItem {
		return &wire.CalendarItem{Start: "2024-01-01T09:00:00Z", End: "2024-01-01T10:00:00Z", UID: "u"}
	}
	tests := []struct {
		name string
		mod  func(ci *wire.CalendarItem)
		want error
	}{
		{"unknown zone id", func(ci *wire.CalendarItem) { ci.StartTimeZone = &wire.TimeZoneDefinition{Id: "Mars Standard Time"} }, ErrUnknownTimeZone},
		{"unknown zone id element", func(ci *wire.CalendarItem) { ci.StartTimeZoneId = "Mars Standard Time" }, ErrUnknownTimeZone},
		{"recurrence without range", func(ci *wire.CalendarItem) {
			ci.Recurrence = &wire.Recurrence{Daily: &wire.DailyRecurrence{Interval: 1}}
		}, ErrInvalid},
		{"recurrence without pattern", func(ci *wire.CalendarItem) {
			ci.Recurrence = &wire.Recurrence{NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-01"}}
		}, ErrInvalid},
		{"bad start", func(ci *wire.CalendarItem) { ci.Start = "yesterday" }, ErrInvalid},
		{"end before start", func(ci *wire.CalendarItem) { ci.End = "2023-01-01T00:00:00Z" }, ErrInvalid},
		{"bad weekday", func(ci *wire.CalendarItem) {
			ci.Recurrence = &wire.Recurrence{Weekly: &wire.WeeklyRecurrence{Interval: 1, DaysOfWeek: "Funday"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-01"}}
		}, ErrInvalid},
		{"count over 999", func(ci *wire.CalendarItem) {
			ci.Recurrence = &wire.Recurrence{Daily: &wire.DailyRecurrence{Interval: 1}, Numbered: &wire.NumberedRecurrence{StartDate: "2024-01-01", NumberOfOccurrences: 5000}}
		}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ci := base()
			tt.mod(ci)
			if _, _, err := MergeIntoICal(nil, ci, nil, Options{}); !errors.Is(err, tt.want) {
				t.Errorf("MergeIntoICal() error = %v, want %v", err, tt.want)
			}
			if _, err := HashEWS(ci, nil); !errors.Is(err, tt.want) {
				t.Errorf("HashEWS() error = %v, want %v", err, tt.want)
			}
		})
	}
}
