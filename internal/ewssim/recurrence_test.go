package ewssim

import (
	"testing"
	"time"
)

func TestRecurrencePatterns(t *testing.T) {
	tests := []struct {
		name   string
		xml    string
		index  int
		want   string
		wantOK bool
	}{
		{"daily interval 3", `<Daily><Interval>3</Interval></Daily><End><StartDate>2026-01-30</StartDate><EndDate>2026-02-10</EndDate></End>`, 4, "2026-02-08", true},
		{"daily past end date", `<Daily><Interval>3</Interval></Daily><End><StartDate>2026-01-30</StartDate><EndDate>2026-02-10</EndDate></End>`, 5, "", false},
		{"weekly mon wed", `<Weekly><Interval>1</Interval><DaysOfWeek>Monday Wednesday</DaysOfWeek></Weekly><No><StartDate>2026-03-04</StartDate></No>`, 2, "2026-03-09", true},
		{"biweekly friday", `<Weekly><Interval>2</Interval><DaysOfWeek>Friday</DaysOfWeek></Weekly><No><StartDate>2026-03-06</StartDate></No>`, 3, "2026-04-03", true},
		{"absolute monthly 31 clamps", `<AbsMonthly><Interval>1</Interval><DayOfMonth>31</DayOfMonth></AbsMonthly><No><StartDate>2026-01-31</StartDate></No>`, 2, "2026-02-28", true},
		{"relative monthly second tuesday", `<RelMonthly><Interval>1</Interval><DaysOfWeek>Tuesday</DaysOfWeek><DayOfWeekIndex>Second</DayOfWeekIndex></RelMonthly><Num><StartDate>2026-01-01</StartDate><NumberOfOccurrences>3</NumberOfOccurrences></Num>`, 3, "2026-03-10", true},
		{"relative monthly last weekday", `<RelMonthly><Interval>1</Interval><DaysOfWeek>Weekday</DaysOfWeek><DayOfWeekIndex>Last</DayOfWeekIndex></RelMonthly><No><StartDate>2026-01-01</StartDate></No>`, 5, "2026-05-29", true},
		{"numbered past count", `<RelMonthly><Interval>1</Interval><DaysOfWeek>Tuesday</DaysOfWeek><DayOfWeekIndex>Second</DayOfWeekIndex></RelMonthly><Num><StartDate>2026-01-01</StartDate><NumberOfOccurrences>3</NumberOfOccurrences></Num>`, 4, "", false},
		{"absolute yearly feb 29", `<AbsYearly><DayOfMonth>29</DayOfMonth><Month>February</Month></AbsYearly><No><StartDate>2024-02-29</StartDate></No>`, 2, "2025-02-28", true},
		{"relative yearly last sunday october", `<RelYearly><DaysOfWeek>Sunday</DaysOfWeek><DayOfWeekIndex>Last</DayOfWeekIndex><Month>October</Month></RelYearly><No><StartDate>2026-01-01</StartDate></No>`, 1, "2026-10-25", true},
		{"start date with zone and time", `<Weekly><Interval>1</Interval><DaysOfWeek>Monday</DaysOfWeek></Weekly><No><StartDate>2026-09-07T00:00:00.000000Z</StartDate></No>`, 1, "2026-09-07", true},
	}
	names := map[string]string{"Daily": "DailyRecurrence", "Weekly": "WeeklyRecurrence", "AbsMonthly": "AbsoluteMonthlyRecurrence",
		"RelMonthly": "RelativeMonthlyRecurrence", "AbsYearly": "AbsoluteYearlyRecurrence", "RelYearly": "RelativeYearlyRecurrence",
		"End": "EndDateRecurrence", "No": "NoEndRecurrence", "Num": "NumberedRecurrence"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := parseTree([]byte("<Recurrence>" + tt.xml + "</Recurrence>"))
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range root.Kids {
				k.Local = names[k.Local]
			}
			r, err := parseRecurrence(root)
			if err != nil {
				t.Fatalf("parseRecurrence = %v", err)
			}
			d, ok := r.nth(tt.index)
			if ok != tt.wantOK || (ok && d.Format("2006-01-02") != tt.want) {
				t.Fatalf("nth(%d) = %s %v, want %s %v", tt.index, d.Format("2006-01-02"), ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestOccurrenceStartFollowsZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) // 09:00 CET
	got := occurrenceStart(start, berlin, date(2026, 3, 30))
	if want := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("occurrenceStart after DST = %s, want %s", got, want)
	}
}
