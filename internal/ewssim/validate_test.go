package ewssim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/reference"
)

// sharedDir locates ../shared relative to the repository root, or EWS_SHARED_DIR.
func sharedDir(t *testing.T) string {
	t.Helper()
	return reference.Require(t)
}

func TestParseEnvelopeAcceptsSampleRequests(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "ews-samples")
	files, _ := filepath.Glob(filepath.Join(dir, "*-request*.xml"))
	if len(files) < 10 {
		t.Fatalf("found %d request samples, want >= 10", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, fault := parseEnvelope(data); fault != nil {
				t.Fatalf("parseEnvelope(%s) = fault %v (%s)", filepath.Base(f), fault, fault.Violation)
			}
		})
	}
}

func TestParseEnvelopeRejects(t *testing.T) {
	const head = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Body>`
	const tail = `</soap:Body></soap:Envelope>`
	tests := []struct {
		name, body, want string
	}{
		{"malformed", `<m:GetFolder>`, "schema validation"},
		{"dtd", "", "DTD"},
		{"unknown element", `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:Bogus/></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, "Bogus"},
		{"wrong order", `<m:GetFolder><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape></m:GetFolder>`, "FolderIds"},
		{"bad enum", `<m:GetFolder><m:FolderShape><t:BaseShape>Everything</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, "Enumeration"},
		{"max changes 513", `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId><m:MaxChangesReturned>513</m:MaxChangesReturned></m:SyncFolderItems>`, "MaxInclusive"},
		{"max changes 0", `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId><m:MaxChangesReturned>0</m:MaxChangesReturned></m:SyncFolderItems>`, "MinInclusive"},
		{"missing required", `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId></m:SyncFolderItems>`, "incomplete"},
		{"unknown attribute", `<m:GetFolder Foo="1"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, "Foo"},
		{"wrong namespace", `<m:GetFolder><t:FolderShape><t:BaseShape>IdOnly</t:BaseShape></t:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`, "FolderShape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := head + tt.body + tail
			if tt.name == "dtd" {
				doc = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`
			}
			_, fault := parseEnvelope([]byte(doc))
			if fault == nil {
				t.Fatalf("parseEnvelope(%s) = ok, want fault", tt.name)
			}
			if fault.Code != "ErrorSchemaValidation" || !strings.Contains(fault.Message, tt.want) {
				t.Fatalf("parseEnvelope(%s) = %s %q, want ErrorSchemaValidation containing %q", tt.name, fault.Code, fault.Message, tt.want)
			}
		})
	}
}

func TestValidateManyChildrenIsFast(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		b.WriteString(`<t:FieldURI FieldURI="item:Subject"/>`)
	}
	doc := `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Body><m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>` + b.String() + `</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id="x"/></m:ItemIds></m:GetItem></soap:Body></soap:Envelope>`
	done := make(chan struct{})
	go func() {
		parseEnvelope([]byte(doc))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("parseEnvelope with 3000 paths did not finish in 5s")
	}
}
