package nextcloudsim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
)

// Example shows a test setup: the fake serves OCS and DAV, and a test edits
// a user's calendar as that user would in Nextcloud.
func Example() {
	nc := nextcloudsim.New(nextcloudsim.Options{
		AppID: "ews_connector", AppSecret: "secret", AppVersion: "1.0.0",
		Users: []nextcloudsim.User{{ID: "alice", DisplayName: "Alice", Password: "pw"}},
		// AppURL: the ExApp's base URL, for Register, webhooks and the proxy.
	})
	defer nc.Close()
	ts := httptest.NewServer(nc)
	defer ts.Close()

	ics := strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", "BEGIN:VEVENT", "UID:e1",
		"DTSTAMP:20260101T000000Z", "DTSTART:20260102T100000Z", "SUMMARY:Hello", "END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	if _, err := nc.PutObject(context.Background(), "/remote.php/dav/calendars/alice/personal/e1.ics", []byte(ics), ""); err != nil {
		fmt.Println(err)
		return
	}
	colls, _ := nc.Collections("alice")
	for _, c := range colls {
		fmt.Println(c.Href, c.SyncToken, c.Objects)
	}
	// Output:
	// /remote.php/dav/calendars/alice/personal/ http://sabre.io/ns/sync/2 1
	// /remote.php/dav/addressbooks/users/alice/contacts/ http://sabre.io/ns/sync/1 0
}
