package event

import (
	"strings"
	"testing"
)

func TestHashIgnoresChurn(t *testing.T) {
	base := string(readFile(t, "testdata/corpus/nextcloud-weekly-berlin.ics"))
	h := func(s string) string {
		t.Helper()
		cal, err := Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		v, err := HashICal(cal, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := h(base)
	churn := strings.NewReplacer("DTSTAMP:20240320T101500Z", "DTSTAMP:20250101T000000Z", "SEQUENCE:3", "SEQUENCE:9",
		"LAST-MODIFIED:20240320T101500Z", "LAST-MODIFIED:20250101T000000Z",
		"CATEGORIES:Work,Team", "CATEGORIES:Team,Work", // a set
		"SUMMARY:Team sync\nLOCATION", "LOCATION", // property order
	).Replace(base)
	churn = strings.Replace(churn, "LOCATION:Room 4.12\\, Building B\nDESCRIPTION", "LOCATION:Room 4.12\\, Building B\nSUMMARY:Team sync\nDESCRIPTION", 1)
	if got := h(churn); got != want {
		t.Errorf("HashICal(churned) = %s, want %s", got, want)
	}
	for name, edit := range map[string][2]string{
		"summary":  {"SUMMARY:Team sync\n", "SUMMARY:Team sync!\n"},
		"exdate":   {"EXDATE;TZID=Europe/Berlin:20240402T100000", "EXDATE;TZID=Europe/Berlin:20240409T100000"},
		"override": {"SUMMARY:Team sync after DST", "SUMMARY:Team sync after DST!"},
		"reminder": {"TRIGGER;RELATED=START:-PT15M", "TRIGGER;RELATED=START:-PT20M"},
		"partstat": {"PARTSTAT=TENTATIVE", "PARTSTAT=ACCEPTED"},
		"rrule":    {"RRULE:FREQ=WEEKLY;BYDAY=TU", "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=50"},
	} {
		if got := h(strings.Replace(base, edit[0], edit[1], 1)); got == want {
			t.Errorf("HashICal(%s changed) = unchanged hash", name)
		}
	}
}

func TestUIDVerbatim(t *testing.T) {
	for _, uid := range []string{
		"040000008200E00074C5B7101A82E00800000000",
		"weird uid with spaces:colons;and\\,escapes@例え.jp",
		strings.Repeat("x", 300),
	} {
		src := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\nDTEND:20240101T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		cal, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := FromICal(cal, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ItemUID(s.Master); got != uid || s.Master.UID != uid {
			t.Errorf("ItemUID(FromICal) = %q, UID %q, want %q", got, s.Master.UID, uid)
		}
		master, _ := fakeServer(t, s, false)
		master.UID = "grommunio-mangled" // the extended property wins
		fresh, _, err := MergeIntoICal(nil, master, nil, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := Encode(fresh)
		back, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ICalUID(back); got != uid {
			t.Errorf("ICalUID(MergeIntoICal) = %q, want %q", got, uid)
		}
	}
}
