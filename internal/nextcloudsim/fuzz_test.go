package nextcloudsim

import (
	"fmt"
	"net/url"
	"testing"
)

// FuzzDAVBody sends arbitrary bodies to the DAV handler: it must answer
// with a client error or success, never panic or 500.
func FuzzDAVBody(f *testing.F) {
	f.Add("REPORT", "", syncBody("", 2))
	f.Add("REPORT", "", `<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="x"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`)
	f.Add("PROPFIND", "", `<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>`)
	f.Add("PUT", "x.ics", fmt.Sprintf(testEvent, "f", "f"))
	f.Add("MKCALENDAR", "../", "<")
	s := New(Options{AppID: testAppID, AppSecret: testSecret})
	h := appAPI("alice")
	f.Fuzz(func(t *testing.T, method, name, body string) {
		switch method {
		case "REPORT", "PROPFIND", "PUT", "PROPPATCH", "MKCOL", "MKCALENDAR", "DELETE", "MOVE", "GET":
		default:
			method = "REPORT"
		}
		code := serve(s, method, (&url.URL{Path: "/remote.php/dav/calendars/alice/personal/" + name}).EscapedPath(), h, body)
		if code >= 500 && code != 501 {
			t.Errorf("%s %q with body %q = %d", method, name, body, code)
		}
	})
}

// FuzzOCSBody sends arbitrary JSON bodies to OCS endpoints.
func FuzzOCSBody(f *testing.F) {
	f.Add("apps/webhook_listeners/api/v1/webhooks", `{"httpMethod":"POST","uri":"/x","event":"OCP\\Calendar\\Events\\CalendarObjectCreatedEvent","eventFilter":{"a":{"$in":[1]}}}`)
	f.Add("apps/app_api/api/v1/ex-app/config", `{"configKey":1,"configValue":{"a":[1]}}`)
	f.Add("apps/app_api/api/v1/ui/settings", `{"formScheme":[]}`)
	f.Add("apps/app_api/api/v1/notification", `{"params":"x"}`)
	s := New(Options{AppID: testAppID, AppSecret: testSecret})
	h := appAPI("admin")
	f.Fuzz(func(t *testing.T, path, body string) {
		code := serve(s, "POST", (&url.URL{Path: "/ocs/v2.php/" + path}).EscapedPath()+"?format=json", h, body)
		if code >= 500 {
			t.Errorf("POST %q with %q = %d", path, body, code)
		}
	})
}
