package ewssim

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testServer starts a simulator with user alice/secret on an httptest server.
func testServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := New(Options{Users: []User{{Name: "alice", Password: "secret"}, {Name: "bob", Password: "hunter2"}},
		StreamingMinute: 200 * time.Millisecond, KeepAliveInterval: 50 * time.Millisecond})
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnState = s.ConnState
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts
}

const soapHead = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/></soap:Header><soap:Body>`
const soapTail = `</soap:Body></soap:Envelope>`

// call posts body (the operation element) as alice and returns status and parsed response.
func call(t *testing.T, ts *httptest.Server, body string) (int, *node) {
	t.Helper()
	return callAs(t, ts, "alice", "secret", body)
}

func callAs(t *testing.T, ts *httptest.Server, user, pass, body string) (int, *node) {
	t.Helper()
	return rawCall(t, ts.URL, user, pass, "", body)
}

// rawCall posts an envelope with extra SOAP headers to base URL.
func rawCall(t *testing.T, url, user, pass, headers, body string) (int, *node) {
	t.Helper()
	head := strings.Replace(soapHead, "</soap:Header>", headers+"</soap:Header>", 1)
	if strings.HasPrefix(headers, "<!--v-->") { // the caller brings its own RequestServerVersion
		head = strings.Replace(soapHead, `<soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/></soap:Header>`, "<soap:Header>"+strings.TrimPrefix(headers, "<!--v-->")+"</soap:Header>", 1)
	}
	req, _ := http.NewRequest(http.MethodPost, url+"/EWS/Exchange.asmx", strings.NewReader(head+body+soapTail))
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusUnauthorized || len(data) == 0 {
		return resp.StatusCode, nil
	}
	checkDecodes(t, data)
	record(data)
	root, err := parseTree(data)
	if err != nil {
		t.Fatalf("response does not parse: %v\n%s", err, data)
	}
	return resp.StatusCode, root
}

// checkDecodes verifies a response is well-formed for encoding/xml.
func checkDecodes(t *testing.T, data []byte) {
	t.Helper()
	var v struct {
		XMLName xml.Name
		Body    struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"Body"`
	}
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&v); err != nil {
		t.Fatalf("encoding/xml decode of response: %v\n%s", err, data)
	}
	if v.XMLName.Local != "Envelope" {
		t.Fatalf("root = %s, want Envelope", v.XMLName.Local)
	}
}

// find returns the first descendant with the local name.
func find(n *node, local string) *node {
	if n == nil {
		return nil
	}
	if n.Local == local {
		return n
	}
	for _, k := range n.Kids {
		if f := find(k, local); f != nil {
			return f
		}
	}
	return nil
}

// findAll returns all descendants with the local name, in document order.
func findAll(n *node, local string) []*node {
	var out []*node
	var walk func(n *node)
	walk = func(n *node) {
		if n.Local == local {
			out = append(out, n)
		}
		for _, k := range n.Kids {
			walk(k)
		}
	}
	if n != nil {
		walk(n)
	}
	return out
}

// codes lists the ResponseCode of every response message.
func codes(n *node) []string {
	var out []string
	for _, c := range findAll(n, "ResponseCode") {
		out = append(out, strings.TrimSpace(c.Text))
	}
	return out
}

func wantCodes(t *testing.T, resp *node, want ...string) {
	t.Helper()
	got := codes(resp)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		var b bytes.Buffer
		if resp != nil {
			resp.write(&b)
		}
		t.Fatalf("response codes = %v, want %v\n%s", got, want, b.String())
	}
}

const calItem = `<t:CalendarItem><t:Subject>%s</t:Subject><t:Body BodyType="Text">Agenda</t:Body><t:Start>2026-03-02T09:00:00Z</t:Start><t:End>2026-03-02T10:00:00Z</t:End></t:CalendarItem>`

func createCal(t *testing.T, ts *httptest.Server, itemXML string) (id, ck string) {
	t.Helper()
	_, resp := call(t, ts, `<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items>`+itemXML+`</m:Items></m:CreateItem>`)
	wantCodes(t, resp, "NoError")
	idn := find(resp, "ItemId")
	return idn.attr("Id"), idn.attr("ChangeKey")
}
