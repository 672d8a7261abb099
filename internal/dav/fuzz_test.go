package dav

import (
	"bytes"
	"testing"
)

// FuzzMultistatus feeds arbitrary response bodies through the multi-status decoder and the
// sync-collection and multiget readers: bad input must give an error, never a panic.
func FuzzMultistatus(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:sync-token>t</d:sync-token></d:multistatus>`))
	f.Add([]byte(`<d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:response><d:href>%zz</d:href><d:status>HTTP/1.1</d:status></d:response><d:sync-token>t2</d:sync-token></d:multistatus>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY e "e">]><d:multistatus xmlns:d="DAV:"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ms multistatus
		if err := decodeXML(bytes.NewReader(data), 1<<20, &ms); err != nil {
			return
		}
		_, _ = syncPageFrom("/c/", &ms)
		for i := range ms.Responses {
			var o Object
			fillObject(&o, &ms.Responses[i], func(p *prop) *string { return p.CalendarData })
			if o.Err == nil && o.Data == nil {
				t.Fatalf("fillObject() left neither data nor error for %+v", ms.Responses[i])
			}
			_ = ms.Responses[i].okProps()
		}
	})
}
