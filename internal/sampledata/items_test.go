package sampledata

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/ewsconnector/ews_connector/internal/contact"
	"github.com/ewsconnector/ews_connector/internal/event"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func TestCardsAreRealistic(t *testing.T) {
	for _, o := range append(localCards("x", now), remoteCards("x", now)...) {
		card, err := vcard.NewDecoder(bytes.NewReader(o.data)).Decode()
		if err != nil {
			t.Fatalf("%s: decode = %v", o.uid, err)
		}
		if got := len(card[vcard.FieldEmail]); got < 2 {
			t.Errorf("%s: %d emails, want several", o.uid, got)
		}
		if got := len(card[vcard.FieldTelephone]); got < 2 {
			t.Errorf("%s: %d phones, want several", o.uid, got)
		}
		if card.Value(vcard.FieldBirthday) == "" || card.Value(vcard.FieldPhoto) == "" {
			t.Errorf("%s: birthday %q, photo set %v", o.uid, card.Value(vcard.FieldBirthday), card.Value(vcard.FieldPhoto) != "")
		}
		c, photo, _, err := contact.FromVCard(card)
		if err != nil || c == nil || photo == nil {
			t.Errorf("%s: contact.FromVCard = %v, photo %v, %v; want an EWS contact with photo", o.uid, c != nil, photo != nil, err)
		}
	}
}

func TestEventsAreRealistic(t *testing.T) {
	var all strings.Builder
	for _, o := range append(localEvents("x", now), remoteEvents("x", now)...) {
		cal, err := event.Parse(o.data)
		if err != nil {
			t.Fatalf("%s: parse = %v", o.uid, err)
		}
		if _, _, err := event.FromICal(cal, event.Options{}); err != nil {
			t.Errorf("%s: FromICal = %v", o.uid, err)
		}
		all.Write(o.data)
	}
	for _, want := range []string{"RRULE:", "RECURRENCE-ID:", "EXDATE:", "ATTENDEE;", "BEGIN:VALARM", "CATEGORIES:", "DTSTART;VALUE=DATE:"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("test events lack %s", want)
		}
	}
}

func TestCRLFFolds(t *testing.T) {
	got := string(crlf(strings.Repeat("a", 80), "b"))
	want := strings.Repeat("a", 75) + "\r\n aaaaa\r\nb\r\n"
	if got != want {
		t.Errorf("crlf() = %q, want %q", got, want)
	}
}
