package event

import (
	"errors"
	"strings"
	"testing"
)

// TestEWSSamples maps the calendar items of the shared EWS samples to new
// iCalendar objects and checks the result hashes like the item.
func TestEWSSamples(t *testing.T) {
	tests := []struct {
		file    string
		summary string
		rrule   string
		partial bool // an IdOnly shape without Start: ErrInvalid
	}{
		{"24-getitem-calendar-response.xml", "", "", true},
		{"25-getitem-calendar-response-allprops.xml", "", "", false},
		{"26-getitem-recurring-master-response.xml", "", "", true},
		{"27-getitem-calendar-batch-response.xml", "", "", false},
		{"28-getitem-calendar-exo.xml", "", "", false},
		{"29-getitem-recurring-master-onprem.xml", "SUMMARY:Weekly Team Meeting", "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=4", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			items := sampleItems(t, tt.file)
			n := 0
			for _, it := range items {
				ci := it.CalendarItem
				if ci == nil {
					continue
				}
				n++
				if _, ok := ItemUID(ci); !ok {
					ci.UID = "sample-uid"
				}
				cal, _, err := MergeIntoICal(nil, ci, nil, testOptions)
				if tt.partial {
					if !errors.Is(err, ErrInvalid) {
						t.Errorf("MergeIntoICal(partial item) error = %v, want ErrInvalid", err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("MergeIntoICal() error %v", err)
				}
				data, err := Encode(cal)
				if err != nil {
					t.Fatalf("Encode() error %v", err)
				}
				text := string(data)
				for _, want := range []string{tt.summary, tt.rrule} {
					if want != "" && !strings.Contains(text, want) {
						t.Errorf("object lacks %q:\n%s", want, text)
					}
				}
				back, err := Parse(data)
				if err != nil {
					t.Fatalf("Parse() error %v", err)
				}
				hi, err1 := HashICal(back, testOptions)
				he, err2 := HashEWS(ci, nil)
				if err1 != nil || err2 != nil || hi != he {
					t.Errorf("HashICal() = %s, %v; HashEWS() = %s, %v; want equal\n%s", hi, err1, he, err2, text)
				}
			}
			if n == 0 {
				t.Fatalf("no CalendarItem in %s", tt.file)
			}
		})
	}
}
