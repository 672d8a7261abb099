package wire_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/reference"
)

// shared finds ../shared beside the repository root, or $EWS_SHARED_DIR.
func shared(t testing.TB) string {
	t.Helper()
	return reference.Require(t, "ews-samples", "..")
}

// bodyName returns the local name of the first child of soap:Body.
func bodyName(t *testing.T, data []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("no body element: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if inBody {
				return se.Name.Local
			}
			inBody = se.Name.Local == "Body"
		}
	}
}

// counts walks the XML and counts, per container local name, its child
// elements (ignoring the named non-entry children).
func counts(t *testing.T, data []byte) map[string]int {
	t.Helper()
	skip := map[string]bool{"SubscriptionId": true, "PreviousWatermark": true, "MoreEvents": true}
	containers := map[string]bool{"ResponseMessages": true, "Changes": true, "Folders": true, "Items": true, "Notification": true, "Attachments": true}
	got := map[string]int{}
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		switch se := tok.(type) {
		case xml.StartElement:
			if n := len(stack); n > 0 && containers[stack[n-1]] && !(stack[n-1] == "Notification" && skip[se.Name.Local]) {
				// Items inside a change or an attachment are not counted.
				if !(stack[n-1] == "Items" && n > 1 && stack[n-2] == "Attachments") {
					got[stack[n-1]]++
				}
			}
			stack = append(stack, se.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func decodedCounts(r *wire.Response) map[string]int {
	got := map[string]int{}
	got["ResponseMessages"] = len(r.ResponseMessages.Messages)
	for _, m := range r.ResponseMessages.Messages {
		if m.Folders != nil {
			got["Folders"] += len(m.Folders.Folder)
		}
		if m.RootFolder != nil {
			got["Folders"] += len(m.RootFolder.Folders.Folder)
			got["Items"] += len(m.RootFolder.Items)
		}
		got["Items"] += len(m.Items)
		if m.Changes != nil {
			got["Changes"] += len(m.Changes.Change)
		}
		if m.Attachments != nil {
			got["Attachments"] += len(m.Attachments.Attachment)
		}
		if m.Notification != nil {
			got["Notification"] += len(m.Notification.Events)
		}
		if m.Notifications != nil {
			for _, n := range m.Notifications.Notification {
				got["Notification"] += len(n.Events)
			}
		}
	}
	return got
}

// TestDecodeSamples decodes every response in ../shared/ews-samples and
// checks that no response message, folder, item, change or event is lost and
// that response codes and item ids survive.
func TestDecodeSamples(t *testing.T) {
	dir := filepath.Join(shared(t), "ews-samples")
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) == 0 {
		t.Skip("no samples in " + dir)
	}
	n := 0
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "-request") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := bodyName(t, data)
			var r wire.Response
			hdr, fault, err := wire.DecodeEnvelope(wire.NewDecoder(bytes.NewReader(data)), name, &r)
			if err != nil {
				t.Fatalf("DecodeEnvelope() error = %v", err)
			}
			if name == "Fault" {
				if fault == nil || fault.Code() == "" || !strings.HasPrefix(fault.Code(), "Error") {
					t.Fatalf("DecodeEnvelope() fault = %+v, want an Error code", fault)
				}
				if strings.Contains(f, "server-busy") {
					v, ok := fault.Detail.MessageXml.Value("BackOffMilliseconds")
					if !ok || v != "297749" {
						t.Errorf("BackOffMilliseconds = %q, %v, want 297749", v, ok)
					}
				}
				return
			}
			if fault != nil {
				t.Fatalf("unexpected fault %+v", fault)
			}
			if bytes.Contains(data, []byte("ServerVersionInfo")) && (hdr == nil || hdr.MajorVersion == 0) {
				t.Errorf("ServerVersionInfo = %+v, want decoded", hdr)
			}
			want := counts(t, data)
			got := decodedCounts(&r)
			for k, w := range want {
				if got[k] != w {
					t.Errorf("decoded %s entries = %d, want %d", k, got[k], w)
				}
			}
			// Response codes, in order.
			var codes []string
			for _, m := range r.ResponseMessages.Messages {
				codes = append(codes, m.Code())
			}
			if wc := xmlTexts(data, "ResponseCode"); strings.Join(wc, ",") != strings.Join(codes, ",") {
				t.Errorf("response codes = %v, want %v", codes, wc)
			}
			// Every item id of a change or an item survives.
			if wi, gi := xmlItemIds(data), decodedItemIds(&r); strings.Join(wi, ",") != strings.Join(gi, ",") {
				t.Errorf("item ids = %v, want %v", gi, wi)
			}
		})
	}
	if n < 30 {
		t.Errorf("decoded %d response samples, want at least 30", n)
	}
}

func xmlTexts(data []byte, local string) []string {
	var out []string
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			var s string
			_ = d.DecodeElement(&s, &se)
			out = append(out, strings.TrimSpace(s))
		}
	}
}

// xmlItemIds returns the sorted Ids of ItemId elements that are direct
// children of an item or a change (not of events).
func xmlItemIds(data []byte) []string {
	var out []string
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch se := tok.(type) {
		case xml.StartElement:
			if se.Name.Local == "ItemId" && len(stack) > 1 {
				p, gp := stack[len(stack)-1], stack[len(stack)-2]
				if gp == "Items" || gp == "Create" || gp == "Update" || p == "Delete" || p == "ReadFlagChange" {
					for _, a := range se.Attr {
						if a.Name.Local == "Id" {
							out = append(out, a.Value)
						}
					}
				}
			}
			stack = append(stack, se.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	sort.Strings(out)
	return out
}

func decodedItemIds(r *wire.Response) []string {
	var out []string
	add := func(items wire.Items) {
		for i := range items {
			if f := items[i].Fields(); f != nil && f.ItemId != nil {
				out = append(out, f.ItemId.Id)
			}
		}
	}
	for _, m := range r.ResponseMessages.Messages {
		add(m.Items)
		if m.RootFolder != nil {
			add(m.RootFolder.Items)
		}
		if m.Changes != nil {
			for i := range m.Changes.Change {
				if id := m.Changes.Change[i].Id(); id != nil {
					out = append(out, id.Id)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// validate runs xmllint on data against ews-envelope.xsd.
func validate(t *testing.T, data []byte) {
	t.Helper()
	xsd := filepath.Join(shared(t), "ews-schema", "ews-envelope.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	f := filepath.Join(t.TempDir(), "request.xml")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint: %v\n%s\n%s", err, out, data)
	}
}

// TestRequestsValidate marshals one request of every kind the client sends
// and validates it against the official schema.
func TestRequestsValidate(t *testing.T) {
	cal := wire.TargetFolder{Distinguished: &wire.DistinguishedFolderId{Id: "calendar"}}
	fid := wire.TargetFolder{Id: &wire.FolderId{Id: "AAMk", ChangeKey: "AQ=="}}
	item := wire.ItemId{Id: "AAMkI", ChangeKey: "DwAA"}
	ce := &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "Team"}, Start: "2026-01-01T10:00:00Z", End: "2026-01-01T11:00:00Z", UID: "uid-1"}
	ce.SetExtended(wire.UIDProperty, "uid-1")
	contact := &wire.Contact{GivenName: "Ada", Surname: "Lovelace", EmailAddresses: &wire.EmailAddresses{Entry: []wire.EmailAddressEntry{{Key: "EmailAddress1", Value: "ada@example.org"}}}}
	reqs := []struct {
		name string
		body any
	}{
		{"GetFolder", &wire.GetFolderRequest{FolderShape: wire.FolderShape{BaseShape: "AllProperties"}, FolderIds: wire.FolderIds{cal, {Distinguished: &wire.DistinguishedFolderId{Id: "contacts", Mailbox: &wire.Mailbox{EmailAddress: "a@example.org"}}}, fid}}},
		{"FindFolder", &wire.FindFolderRequest{Traversal: "Deep", FolderShape: wire.FolderShape{BaseShape: "AllProperties"}, IndexedPageFolderView: &wire.IndexedPageView{MaxEntriesReturned: 100, BasePoint: "Beginning"}, ParentFolderIds: wire.FolderIds{{Distinguished: &wire.DistinguishedFolderId{Id: "msgfolderroot"}}}}},
		{"CreateFolder", &wire.CreateFolderRequest{ParentFolderId: cal, Folders: []wire.Folder{{XMLName: xml.Name{Local: wire.FolderKindCalendar}, DisplayName: "Test", FolderClass: "IPF.Appointment"}, {DisplayName: "Plain"}}}},
		{"DeleteFolder", &wire.DeleteFolderRequest{DeleteType: "HardDelete", FolderIds: wire.FolderIds{fid}}},
		{"SyncFolderItems", &wire.SyncFolderItemsRequest{ItemShape: wire.ItemShape{BaseShape: "IdOnly", AdditionalProperties: wire.Paths{wire.Extended(wire.UIDProperty)}}, SyncFolderId: fid, SyncState: "H4sI", MaxChangesReturned: 512}},
		{"SyncFolderItemsFirst", &wire.SyncFolderItemsRequest{ItemShape: wire.ItemShape{BaseShape: "IdOnly"}, SyncFolderId: cal, MaxChangesReturned: 1}},
		{"GetItem", &wire.GetItemRequest{ItemShape: wire.ItemShape{BaseShape: "IdOnly", BodyType: "Text", AdditionalProperties: wire.Paths{wire.Field("item:Subject"), wire.Indexed("contacts:EmailAddress", "EmailAddress1"), wire.Extended(wire.UIDProperty)}}, ItemIds: wire.ItemRefs{{Item: &item}, {Occurrence: &wire.OccurrenceItemId{RecurringMasterId: "M", InstanceIndex: 2}}, {RecurringMaster: &wire.RecurringMasterItemId{OccurrenceId: "O"}}}}},
		{"CreateItem", &wire.CreateItemRequest{SendMeetingInvitations: "SendToNone", SavedItemFolderId: &cal, Items: wire.Items{{CalendarItem: ce}, {Contact: contact}}}},
		{"UpdateItem", &wire.UpdateItemRequest{ConflictResolution: "NeverOverwrite", SendMeetingInvitationsOrCancellations: "SendToNone", ItemChanges: []wire.ItemChange{
			{ItemId: &item, Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Field("item:Subject"), Item: wire.Item{CalendarItem: &wire.CalendarItem{ItemFields: wire.ItemFields{Subject: "New"}}}}, {Kind: wire.DeleteField, Path: wire.Field("calendar:Location")}}},
			{OccurrenceItemId: &wire.OccurrenceItemId{RecurringMasterId: "M", InstanceIndex: 3}, Updates: wire.Updates{{Kind: wire.SetField, Path: wire.Indexed("contacts:EmailAddress", "EmailAddress1"), Item: wire.Item{Contact: contact}}}},
		}}},
		{"DeleteItem", &wire.DeleteItemRequest{DeleteType: "MoveToDeletedItems", SendMeetingCancellations: "SendToNone", AffectedTaskOccurrences: "AllOccurrences", ItemIds: wire.ItemRefs{{Item: &item}}}},
		{"CreateAttachment", &wire.CreateAttachmentRequest{ParentItemId: item, Attachments: wire.Attachments{Attachment: []wire.Attachment{wire.NewFileAttachment("a.txt", "text/plain", []byte("aGk="))}}}},
		{"GetAttachment", &wire.GetAttachmentRequest{AttachmentIds: []wire.RequestAttachmentId{{Id: "A1"}, {Id: "A2"}}}},
		{"DeleteAttachment", &wire.DeleteAttachmentRequest{AttachmentIds: []wire.RequestAttachmentId{{Id: "A1"}}}},
		{"SubscribePull", &wire.SubscribeRequest{Pull: &wire.PullSubscriptionRequest{FolderIds: wire.FolderIds{fid}, EventTypes: wire.AllItemEventTypes, Watermark: "W", Timeout: 30}}},
		{"SubscribeStreaming", &wire.SubscribeRequest{Streaming: &wire.StreamingSubscriptionRequest{FolderIds: wire.FolderIds{cal, fid}, EventTypes: wire.AllItemEventTypes}}},
		{"GetEvents", &wire.GetEventsRequest{SubscriptionId: "S", Watermark: "W"}},
		{"GetStreamingEvents", &wire.GetStreamingEventsRequest{SubscriptionIds: []string{"S"}, ConnectionTimeout: 30}},
		{"Unsubscribe", &wire.UnsubscribeRequest{SubscriptionId: "S"}},
	}
	for _, tc := range reqs {
		t.Run(tc.name, func(t *testing.T) {
			data, err := wire.MarshalRequest(wire.RequestHeader{Version: "Exchange2013_SP1", ImpersonateSMTP: "a&b@example.org", TimeZoneID: "W. Europe Standard Time"}, tc.body)
			if err != nil {
				t.Fatalf("MarshalRequest() error = %v", err)
			}
			validate(t, data)
		})
	}
}

func TestDecodeEnvelopeHostile(t *testing.T) {
	const ok = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetItemResponse xmlns:m="x"><m:ResponseMessages/></m:GetItemResponse></s:Body></s:Envelope>`
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` + ok
	tests := []struct {
		name, in string
		want     error
	}{
		{"billion laughs", laughs, wire.ErrDTD},
		{"undefined entity", strings.Replace(ok, "<m:ResponseMessages/>", "&lol9;", 1), nil},
		{"truncated", ok[:len(ok)-30], io.ErrUnexpectedEOF},
		{"soap 1.2", strings.ReplaceAll(ok, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"), wire.ErrNotEnvelope},
		{"no namespace", `<Envelope><Body><GetItemResponse/></Body></Envelope>`, wire.ErrNotEnvelope},
		{"html", `<html><body>Service Unavailable</body></html>`, wire.ErrNotEnvelope},
		{"wrong body", strings.ReplaceAll(ok, "GetItemResponse", "FindItemResponse"), wire.ErrUnexpectedBody},
		{"empty body", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body></s:Body></s:Envelope>`, wire.ErrNoBody},
		{"text", `not xml at all`, wire.ErrNotEnvelope},
		{"empty", ``, io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r wire.Response
			_, _, err := wire.DecodeEnvelope(wire.NewDecoder(strings.NewReader(tc.in)), "GetItemResponse", &r)
			if err == nil {
				t.Fatalf("DecodeEnvelope(%.40q) = nil error, want one", tc.in)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("DecodeEnvelope(%.40q) = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

// TestDecodeEnvelopeStream decodes two concatenated envelopes from one
// stream, as GetStreamingEvents sends them.
func TestDecodeEnvelopeStream(t *testing.T) {
	one := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetStreamingEventsResponse><ResponseMessages><GetStreamingEventsResponseMessage ResponseClass="Success"><ResponseCode>NoError</ResponseCode><ConnectionStatus>%s</ConnectionStatus></GetStreamingEventsResponseMessage></ResponseMessages></GetStreamingEventsResponse></s:Body></s:Envelope>`
	in := strings.Replace(one, "%s", "OK", 1) + "\r\n" + strings.Replace(one, "%s", "Closed", 1)
	d := wire.NewDecoder(strings.NewReader(in))
	var got []string
	for {
		var r wire.Response
		_, _, err := wire.DecodeEnvelope(d, "GetStreamingEventsResponse", &r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("DecodeEnvelope() error = %v", err)
		}
		got = append(got, r.ResponseMessages.Messages[0].ConnectionStatus)
	}
	if strings.Join(got, ",") != "OK,Closed" {
		t.Errorf("stream statuses = %v, want [OK Closed]", got)
	}
}
