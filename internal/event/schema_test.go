package event

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/reference"
)

// xsdPath finds ../shared/ews-schema/ews-envelope.xsd and xmllint, or skips.
func xsdPath(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	return reference.Require(t, "ews-schema", "ews-envelope.xsd")
}

func validateRequest(t *testing.T, xsd string, body any) {
	t.Helper()
	data, err := wire.MarshalRequest(wire.RequestHeader{Version: "Exchange2013_SP1"}, body)
	if err != nil {
		t.Fatalf("MarshalRequest() error %v", err)
	}
	f := filepath.Join(t.TempDir(), "req.xml")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, data)
	}
}

// TestRequestsValidate checks that every CreateItem, master UpdateItem and
// occurrence UpdateItem built from the corpus is valid against the EWS
// schema.
func TestRequestsValidate(t *testing.T) {
	xsd := xsdPath(t)
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, _, err := FromICal(parseFile(t, path), testOptions)
			if err != nil {
				t.Fatal(err)
			}
			validateRequest(t, xsd, &wire.CreateItemRequest{SendMeetingInvitations: "SendToNone", Items: wire.Items{{CalendarItem: s.Master}}})
			// A master update touching every field.
			blank := &wire.CalendarItem{Start: "2020-01-01T00:00:00Z", End: "2020-01-01T01:00:00Z", Location: "y"}
			blank.Subject = "x"
			blank.Categories = &wire.Strings{String: []string{"z"}}
			blank.Body = &wire.Body{BodyType: "Text", Value: "b"}
			us, err := Updates(blank, s.Master)
			if err != nil || len(us) == 0 {
				t.Fatalf("Updates() = %v, %v", us, err)
			}
			changes := []wire.ItemChange{{ItemId: &wire.ItemId{Id: "AAMk", ChangeKey: "CK"}, Updates: us}}
			ws, _, err := s.Plan(created(s), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range ws {
				if w.Delete {
					continue
				}
				changes = append(changes, wire.ItemChange{OccurrenceItemId: &wire.OccurrenceItemId{RecurringMasterId: "AAMk", InstanceIndex: w.InstanceIndex}, Updates: w.Updates})
			}
			validateRequest(t, xsd, &wire.UpdateItemRequest{ConflictResolution: "AutoResolve", SendMeetingInvitationsOrCancellations: "SendToNone", ItemChanges: changes})
		})
	}
}
