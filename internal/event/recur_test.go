package event

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

func xmlOf(t *testing.T, v any) string {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRRuleEWSBothWays maps every EWS pattern and range to an RRULE and
// back, and checks both directions against the expected forms.
func TestRRuleEWSBothWays(t *testing.T) {
	ny := mustZone("America/New_York")
	start := time.Date(2024, 1, 9, 17, 0, 0, 0, ny) // a Tuesday, the 2nd of the month
	tests := []struct {
		name  string
		rrule string // input
		back  string // RRULE from the EWS form ("" = same as rrule)
		want  wire.Recurrence
	}{
		{"daily", "FREQ=DAILY;INTERVAL=3", "", wire.Recurrence{Daily: &wire.DailyRecurrence{Interval: 3}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"daily weekdays", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", wire.Recurrence{Weekly: &wire.WeeklyRecurrence{Interval: 1, DaysOfWeek: "Monday Tuesday Wednesday Thursday Friday"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"weekly implicit day", "FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=TU", wire.Recurrence{Weekly: &wire.WeeklyRecurrence{Interval: 1, DaysOfWeek: "Tuesday"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"weekly wkst", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;COUNT=12", "", wire.Recurrence{Weekly: &wire.WeeklyRecurrence{Interval: 2, DaysOfWeek: "Tuesday Thursday", FirstDayOfWeek: "Sunday"}, Numbered: &wire.NumberedRecurrence{StartDate: "2024-01-09", NumberOfOccurrences: 12}}},
		{"absolute monthly", "FREQ=MONTHLY;BYMONTHDAY=9", "", wire.Recurrence{AbsoluteMonthly: &wire.AbsoluteMonthlyRecurrence{Interval: 1, DayOfMonth: 9}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"absolute monthly implicit", "FREQ=MONTHLY;INTERVAL=2", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=9", wire.Recurrence{AbsoluteMonthly: &wire.AbsoluteMonthlyRecurrence{Interval: 2, DayOfMonth: 9}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"relative monthly", "FREQ=MONTHLY;BYDAY=2TU", "", wire.Recurrence{RelativeMonthly: &wire.RelativeMonthlyRecurrence{Interval: 1, DaysOfWeek: "Tuesday", DayOfWeekIndex: "Second"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"relative monthly setpos", "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2", "FREQ=MONTHLY;BYDAY=2TU", wire.Recurrence{RelativeMonthly: &wire.RelativeMonthlyRecurrence{Interval: 1, DaysOfWeek: "Tuesday", DayOfWeekIndex: "Second"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"last weekday", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "", wire.Recurrence{RelativeMonthly: &wire.RelativeMonthlyRecurrence{Interval: 1, DaysOfWeek: "Weekday", DayOfWeekIndex: "Last"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"second weekend day", "FREQ=MONTHLY;BYDAY=SU,SA;BYSETPOS=2", "FREQ=MONTHLY;BYDAY=SU,SA;BYSETPOS=2", wire.Recurrence{RelativeMonthly: &wire.RelativeMonthlyRecurrence{Interval: 1, DaysOfWeek: "WeekendDay", DayOfWeekIndex: "Second"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"last day", "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYDAY=SU,MO,TU,WE,TH,FR,SA;BYSETPOS=-1", wire.Recurrence{RelativeMonthly: &wire.RelativeMonthlyRecurrence{Interval: 1, DaysOfWeek: "Day", DayOfWeekIndex: "Last"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"day 30 clamped", "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", "", wire.Recurrence{AbsoluteMonthly: &wire.AbsoluteMonthlyRecurrence{Interval: 1, DayOfMonth: 30}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"absolute yearly", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=9;UNTIL=20280109T220000Z", "", wire.Recurrence{AbsoluteYearly: &wire.AbsoluteYearlyRecurrence{DayOfMonth: 9, Month: "January"}, EndDate: &wire.EndDateRecurrence{StartDate: "2024-01-09", EndDate: "2028-01-09"}}},
		{"relative yearly", "FREQ=YEARLY;BYMONTH=1;BYDAY=2TU", "", wire.Recurrence{RelativeYearly: &wire.RelativeYearlyRecurrence{DaysOfWeek: "Tuesday", DayOfWeekIndex: "Second", Month: "January"}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"yearly interval 3", "FREQ=YEARLY;INTERVAL=3", "FREQ=MONTHLY;INTERVAL=36;BYMONTHDAY=9", wire.Recurrence{AbsoluteMonthly: &wire.AbsoluteMonthlyRecurrence{Interval: 36, DayOfMonth: 9}, NoEnd: &wire.NoEndRecurrence{StartDate: "2024-01-09"}}},
		{"until before time of day", "FREQ=DAILY;UNTIL=20240120T150000Z", "FREQ=DAILY;UNTIL=20240119T220000Z", wire.Recurrence{Daily: &wire.DailyRecurrence{Interval: 1}, EndDate: &wire.EndDateRecurrence{StartDate: "2024-01-09", EndDate: "2024-01-19"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rruleToEWS(tt.rrule, start, false)
			if err != nil {
				t.Fatalf("rruleToEWS(%q) error %v", tt.rrule, err)
			}
			if g, w := xmlOf(t, got), xmlOf(t, &tt.want); g != w {
				t.Errorf("rruleToEWS(%q) = %s, want %s", tt.rrule, g, w)
			}
			back, err := ewsToRRule(got, start, false, false)
			if err != nil {
				t.Fatalf("ewsToRRule() error %v", err)
			}
			want := tt.back
			if want == "" {
				want = tt.rrule
			}
			if back != want {
				t.Errorf("ewsToRRule(rruleToEWS(%q)) = %q, want %q", tt.rrule, back, want)
			}
			// And the EWS form of the way back is the same.
			again, err := rruleToEWS(back, start, false)
			if err != nil || xmlOf(t, again) != xmlOf(t, got) {
				t.Errorf("rruleToEWS(%q) = %s, %v, want %s", back, xmlOf(t, again), err, xmlOf(t, got))
			}
		})
	}
}

func TestAllDayUntilIsDate(t *testing.T) {
	start := time.Date(2024, 5, 27, 0, 0, 0, 0, berlin)
	r, err := rruleToEWS("FREQ=WEEKLY;UNTIL=20240624", start, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.EndDate == nil || r.EndDate.EndDate != "2024-06-24" {
		t.Fatalf("EndDate = %+v, want 2024-06-24", r.EndDate)
	}
	back, _ := ewsToRRule(r, start, true, false)
	if back != "FREQ=WEEKLY;BYDAY=MO;UNTIL=20240624" {
		t.Errorf("ewsToRRule() = %q, want a DATE UNTIL", back)
	}
}

func TestNotRepresentableRules(t *testing.T) {
	start := time.Date(2024, 1, 9, 17, 0, 0, 0, time.UTC)
	for _, rule := range []string{
		"FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY", "FREQ=MONTHLY;BYMONTHDAY=1,15", "FREQ=YEARLY;BYWEEKNO=20",
		"FREQ=YEARLY;BYYEARDAY=100", "FREQ=DAILY;COUNT=1000", "FREQ=YEARLY;BYMONTH=1,7", "FREQ=MONTHLY;BYDAY=1MO,3MO",
		"FREQ=MONTHLY;BYDAY=5TU", "FREQ=DAILY;BYHOUR=9,17", "FREQ=WEEKLY;INTERVAL=2;BYMONTH=3", "FREQ=MONTHLY;BYMONTHDAY=31",
		"FREQ=YEARLY;INTERVAL=2;BYMONTH=3",
	} {
		if _, err := rruleToEWS(rule, start, false); !IsNotRepresentable(err) {
			t.Errorf("rruleToEWS(%q) error = %v, want ErrNotRepresentable", rule, err)
		}
	}
	for _, rule := range []string{"", "FREQ=DAILY;COUNT=0", "FREQ=DAILY;INTERVAL=0", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;COUNT=2;UNTIL=20250101", "FREQ=DAILY;UNTIL=garbage", "FREQ=DAILY;FOO=1", "FREQ=DAILY;UNTIL=20200101"} {
		if _, err := rruleToEWS(rule, start, false); err == nil || IsNotRepresentable(err) {
			t.Errorf("rruleToEWS(%q) error = %v, want ErrInvalid", rule, err)
		}
	}
}
