package ewssim

import (
	"errors"
	"strings"
	"testing"
)

func TestVersions(t *testing.T) {
	if _, err := ParseVersion("2003"); !errors.Is(err, ErrUnknownVersion) {
		t.Fatalf("ParseVersion(2003) = %v, want ErrUnknownVersion", err)
	}
	tests := []struct {
		version       Version
		request       string
		wantMajor     string
		wantFault     string
		streamingCode string
	}{
		{Exchange2007, "Exchange2007_SP1", "8", "", "ErrorSchemaValidation"},
		{Exchange2007, "Exchange2010_SP2", "8", "ErrorInvalidServerVersion", ""},
		{Exchange2010, "Exchange2010_SP2", "14", "", "NoError"},
		{Exchange2010, "Exchange2013_SP1", "14", "ErrorInvalidServerVersion", ""},
		{Exchange2013, "Exchange2013_SP1", "15", "", "NoError"},
		{Exchange2019, "V2017_07_11", "15", "", "NoError"},
	}
	for _, tt := range tests {
		t.Run(string(tt.version)+"/"+tt.request, func(t *testing.T) {
			s := New(Options{Users: []User{{Name: "alice", Password: "secret"}}, Version: tt.version})
			r := s.Start(listen(t))
			defer r.Close()
			hdr := `<t:RequestServerVersion Version="` + tt.request + `"/>`
			st, resp := rawCallNoVersion(t, r.URL, hdr, getCalendar)
			if tt.wantFault != "" {
				if st != 500 || find(resp, "faultcode").Text != "a:"+tt.wantFault {
					t.Fatalf("status %d, want 500 %s", st, tt.wantFault)
				}
				return
			}
			if st != 200 || find(resp, "ServerVersionInfo").attr("MajorVersion") != tt.wantMajor {
				t.Fatalf("status %d, MajorVersion %s; want 200, %s", st, find(resp, "ServerVersionInfo").attr("MajorVersion"), tt.wantMajor)
			}
			_, resp = rawCallNoVersion(t, r.URL, hdr, `<m:Subscribe><m:StreamingSubscriptionRequest><t:FolderIds><t:DistinguishedFolderId Id="calendar"/></t:FolderIds><t:EventTypes><t:EventType>CreatedEvent</t:EventType></t:EventTypes></m:StreamingSubscriptionRequest></m:Subscribe>`)
			if got := strings.TrimSpace(find(resp, "ResponseCode").Text); got != tt.streamingCode {
				t.Fatalf("streaming Subscribe = %s, want %s", got, tt.streamingCode)
			}
		})
	}
}

// rawCallNoVersion posts with the given header instead of the default RequestServerVersion.
func rawCallNoVersion(t *testing.T, url, headers, body string) (int, *node) {
	t.Helper()
	return rawCall(t, url, "alice", "secret", "<!--v-->"+headers, body)
}
