package ews

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// syncPage512 is a SyncFolderItems response with 512 IdOnly creates, each
// with the UID extended property.
func syncPage512() []byte {
	var b strings.Builder
	for i := range 512 {
		fmt.Fprintf(&b, `<t:Create><t:CalendarItem><t:ItemId Id="AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVK%06d" ChangeKey="DwAAABYAAADZGACZQpSgSpyNkexYe2b7"/><t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="%s" PropertyName="ews_connector.uid" PropertyType="String"/><t:Value>uid-%d@example.org</t:Value></t:ExtendedProperty></t:CalendarItem></t:Create>`, i, wire.UIDPropertySetID, i)
	}
	return []byte(response("SyncFolderItems", ok("SyncFolderItems", `<m:SyncState>H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++99</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>`+b.String()+`</m:Changes>`)))
}

// BenchmarkDecodeSyncPage decodes a full 512-change sync page.
func BenchmarkDecodeSyncPage(b *testing.B) {
	data := syncPage512()
	c, _ := NewClient("https://ews.example.org/EWS/Exchange.asmx", nil)
	res := &http.Response{StatusCode: 200, Header: http.Header{}}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var resp wire.Response
		if err := c.decode("SyncFolderItems", res, data, "SyncFolderItemsResponse", &resp); err != nil {
			b.Fatal(err)
		}
		if n := len(resp.ResponseMessages.Messages[0].Changes.Change); n != 512 {
			b.Fatalf("changes = %d", n)
		}
	}
}

// BenchmarkGetItems100 runs a 100-item GetItem round trip (two batches of
// 50) against an in-process server.
func BenchmarkGetItems100(b *testing.B) {
	item := `<m:Items><t:Contact><t:ItemId Id="I" ChangeKey="C"/><t:Subject>Ada Lovelace</t:Subject><t:GivenName>Ada</t:GivenName></t:Contact></m:Items>`
	srv := newFakeEWS(b, func(w http.ResponseWriter, op, body string) {
		n := strings.Count(body, "<t:ItemId ")
		msgs := make([]string, n)
		for i := range msgs {
			msgs[i] = ok(op, item)
		}
		fmt.Fprint(w, response(op, msgs...))
	})
	c, _ := NewClient(srv.URL, &Options{Auth: AuthBasic, Username: "u", Password: "p"})
	ids := make(wire.ItemRefs, 100)
	for i := range ids {
		ids[i] = ItemRef(wire.ItemId{Id: fmt.Sprintf("I%d", i), ChangeKey: "C"})
	}
	shape := wire.ItemShape{AdditionalProperties: wire.Paths{wire.Field("item:Subject"), wire.Field("contacts:GivenName"), wire.Extended(wire.UIDProperty)}}
	b.ReportAllocs()
	for b.Loop() {
		rs, err := c.GetItems(context.Background(), ids, shape)
		if err != nil || len(rs) != 100 {
			b.Fatal(err)
		}
	}
}
