package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCmdEWSFolders(t *testing.T) {
	const ns = `xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"`
	env := func(body string) string {
		return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><t:ServerVersionInfo xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" MajorVersion="15" MinorVersion="2" MajorBuildNumber="1748" MinorBuildNumber="10" Version="V2017_07_11"/></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ada" || p != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		b, _ := io.ReadAll(r.Body)
		switch {
		case bytes.Contains(b, []byte("<m:GetFolder>")):
			msg := func(id, name, class string, n int) string {
				return fmt.Sprintf(`<m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id="%s"/><t:FolderClass>%s</t:FolderClass><t:DisplayName>%s</t:DisplayName><t:TotalCount>%d</t:TotalCount></t:Folder></m:Folders></m:GetFolderResponseMessage>`, id, class, name, n)
			}
			fmt.Fprint(w, env(`<m:GetFolderResponse `+ns+`><m:ResponseMessages>`+msg("C", "Calendar", "IPF.Appointment", 12)+msg("K", "Contacts", "IPF.Contact", 40)+`</m:ResponseMessages></m:GetFolderResponse>`))
		case bytes.Contains(b, []byte("<m:FindFolder")):
			fmt.Fprint(w, env(`<m:FindFolderResponse `+ns+`><m:ResponseMessages><m:FindFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IncludesLastItemInRange="true"><t:Folders><t:CalendarFolder><t:FolderId Id="H"/><t:FolderClass>IPF.Appointment</t:FolderClass><t:DisplayName>Holidays</t:DisplayName><t:TotalCount>3</t:TotalCount></t:CalendarFolder></t:Folders></m:RootFolder></m:FindFolderResponseMessage></m:ResponseMessages></m:FindFolderResponse>`))
		}
	}))
	defer srv.Close()
	tests := []struct {
		name     string
		password string
		want     int
		out      []string
	}{
		{"ok", "pw", 0, []string{"Exchange 15.2.1748.10 (V2017_07_11)", "Exchange2013_SP1", "Calendar", "12 items", "(default)", "Holidays", "Contacts", "40 items"}},
		{"bad password", "wrong", 1, []string{"authentication failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			e := Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
				if k == "EWS_PASSWORD" {
					return tc.password
				}
				return ""
			}}
			code := Run(context.Background(), []string{"ews", "folders", "--url", srv.URL, "--user", "ada", "--auth", "basic"}, e)
			if code != tc.want {
				t.Fatalf("Run(ews folders) = %d, want %d; stderr %s", code, tc.want, errOut.String())
			}
			all := out.String() + errOut.String()
			for _, w := range tc.out {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"ews", "folders", "--url", srv.URL}, Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}); code != 2 {
		t.Errorf("Run(ews folders without --user) = %d, want 2", code)
	}
}
