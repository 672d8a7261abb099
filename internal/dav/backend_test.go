package dav

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// backend is one server the shared suite runs against.
type backend struct {
	name   string
	client func(t *testing.T) *Client // skips when the server is unavailable
}

// backends lists the servers every suite test runs against: a real, independent Radicale, and the
// fake Nextcloud (see nextcloudsim_test.go) when it serves DAV.
var backends = []backend{
	{name: "radicale", client: radicaleClient},
}

// forEachBackend runs f as a subtest per backend.
func forEachBackend(t *testing.T, f func(t *testing.T, c *Client)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f(t, b.client(t))
		})
	}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var collectionSeq atomic.Int64

// uniqueName returns a collection name unique within the test run.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, collectionSeq.Add(1))
}

// homes discovers the client's home sets or fails.
func homes(t *testing.T, ctx context.Context, c *Client) HomeSets {
	t.Helper()
	hs, err := c.Discover(ctx)
	if err != nil {
		t.Fatalf("Discover() = %v", err)
	}
	return hs
}

// newCalendar creates a fresh VEVENT calendar in the user's home and deletes it after the test.
func newCalendar(t *testing.T, ctx context.Context, c *Client) string {
	t.Helper()
	hs := homes(t, ctx, c)
	href := hs.Calendars + uniqueName("cal") + "/"
	if err := c.MakeCalendar(ctx, Calendar{Href: href, DisplayName: "Test", Components: []string{"VEVENT"}}); err != nil {
		t.Fatalf("MakeCalendar(%s) = %v", href, err)
	}
	t.Cleanup(func() { _ = c.DeleteCollection(context.Background(), href) })
	return href
}

// newAddressBook creates a fresh address book in the user's home and deletes it after the test.
func newAddressBook(t *testing.T, ctx context.Context, c *Client) string {
	t.Helper()
	hs := homes(t, ctx, c)
	href := hs.AddressBooks + uniqueName("book") + "/"
	if err := c.MakeAddressBook(ctx, AddressBook{Href: href, DisplayName: "Test book"}); err != nil {
		t.Fatalf("MakeAddressBook(%s) = %v", href, err)
	}
	t.Cleanup(func() { _ = c.DeleteCollection(context.Background(), href) })
	return href
}

func event(uid, summary string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ews_connector//dav test//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261123T120000Z\r\nDTSTART:20261201T100000Z\r\n" +
		"DTEND:20261201T110000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

func card(uid, fn string) []byte {
	return []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//ews_connector//dav test//EN\r\nUID:" + uid +
		"\r\nFN:" + fn + "\r\nN:" + fn + ";;;;\r\nEMAIL;TYPE=WORK:" + uid + "@example.invalid\r\nEND:VCARD\r\n")
}
