package ewssim

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func TestWriteFaultMatchesExchange(t *testing.T) {
	out := writeFault(&soapFault{Code: "ErrorServerBusy", Message: "busy", BackOff: 297749})
	var env struct {
		Body struct {
			Fault struct {
				Code   string `xml:"faultcode"`
				Detail struct {
					ResponseCode string `xml:"http://schemas.microsoft.com/exchange/services/2006/errors ResponseCode"`
					Values       []struct {
						Name  string `xml:"Name,attr"`
						Value string `xml:",chardata"`
					} `xml:"http://schemas.microsoft.com/exchange/services/2006/types MessageXml>Value"`
				} `xml:"detail"`
			} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(out, &env); err != nil {
		t.Fatalf("fault does not decode: %v", err)
	}
	f := env.Body.Fault
	if f.Code != "a:ErrorServerBusy" || f.Detail.ResponseCode != "ErrorServerBusy" || len(f.Detail.Values) != 1 || f.Detail.Values[0].Value != "297749" {
		t.Fatalf("fault = %+v, want a:ErrorServerBusy with BackOffMilliseconds 297749 (as sample 63)", f)
	}
}

func TestWriteResponseDeclaresPrefixes(t *testing.T) {
	out := string(writeResponse(response("GetItem", respMsg("GetItemResponseMessage", "NoError", ""))))
	for _, want := range []string{`<m:GetItemResponse xmlns:m="` + nsMessages + `" xmlns:t="` + nsTypes + `">`, `MajorVersion="15" MinorVersion="2"`, `<m:ResponseCode>NoError</m:ResponseCode>`} {
		if !strings.Contains(out, want) {
			t.Fatalf("writeResponse lacks %s:\n%s", want, out)
		}
	}
	if _, err := parseTree([]byte(out)); err != nil {
		t.Fatalf("response does not parse: %v", err)
	}
}
