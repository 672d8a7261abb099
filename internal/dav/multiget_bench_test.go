package dav

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// multigetBody builds an addressbook-multiget answer for n contacts of about 1 KiB each, in
// Nextcloud's shape (CRLF as &#13;).
func multigetBody(n int) ([]byte, []string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">`)
	hrefs := make([]string, n)
	note := strings.Repeat("Lorem ipsum dolor sit amet, ", 25)
	for i := range n {
		hrefs[i] = fmt.Sprintf("/remote.php/dav/addressbooks/users/alice/contacts/contact-%05d.vcf", i)
		fmt.Fprintf(&b, `<d:response><d:href>%s</d:href><d:propstat><d:prop><d:getetag>&quot;%032x&quot;</d:getetag>`+
			`<card:address-data>BEGIN:VCARD&#13;
VERSION:3.0&#13;
UID:contact-%05d&#13;
FN:Contact %d&#13;
EMAIL;TYPE=WORK:c%d@example.invalid&#13;
NOTE:%s&#13;
END:VCARD&#13;
</card:address-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, hrefs[i], i, i, i, i, note)
	}
	b.WriteString(`</d:multistatus>`)
	return b.Bytes(), hrefs
}

// BenchmarkMultiGetDecode measures decoding one 100-contact multiget response.
func BenchmarkMultiGetDecode(b *testing.B) {
	body, _ := multigetBody(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var ms multistatus
		if err := decodeXML(bytes.NewReader(body), DefaultMaxResponseBytes, &ms); err != nil {
			b.Fatal(err)
		}
		for i := range ms.Responses {
			var o Object
			fillObject(&o, &ms.Responses[i], func(p *prop) *string { return p.AddressData })
			if o.Err != nil {
				b.Fatal(o.Err)
			}
		}
	}
}

// BenchmarkMultiGetAddressBook measures MultiGetAddressBook of 1,000 hrefs (10 REPORTs of 100)
// against a loopback server that answers every batch with a prebuilt body.
func BenchmarkMultiGetAddressBook(b *testing.B) {
	body, hrefs := multigetBody(100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		w.Write(body)
	}))
	defer srv.Close()
	c, err := NewClient(srv.Client(), srv.URL+"/remote.php/dav", nil)
	if err != nil {
		b.Fatal(err)
	}
	all := make([]string, 0, 1000)
	for range 10 {
		all = append(all, hrefs...)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)) * 10)
	b.ReportAllocs()
	for b.Loop() {
		objs, err := c.MultiGetAddressBook(ctx, "/remote.php/dav/addressbooks/users/alice/contacts/", all)
		if err != nil || objs[999].Err != nil {
			b.Fatal(err, objs[999].Err)
		}
	}
}
