package appapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// FuzzVerify: arbitrary header values never panic and never verify without the secret.
func FuzzVerify(f *testing.F) {
	f.Add(testAppID, "1.0", Sign("alice", testSecret))
	f.Add(testAppID, "1.0", Sign("", "x"))
	f.Add("", "", "%%%")
	f.Add(testAppID, "1", "OmFiYw==")
	v := NewVerifier(testAppID, testSecret)
	f.Fuzz(func(t *testing.T, appID, version, auth string) {
		h := http.Header{}
		h.Set(HeaderAppID, appID)
		h.Set(HeaderAppVersion, version)
		h.Set(HeaderAuthorization, auth)
		user, err := v.Verify(h)
		if err != nil {
			return
		}
		raw, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(auth))
		u, secret, ok := strings.Cut(string(raw), ":")
		if appID != testAppID || version == "" || derr != nil || !ok || secret != testSecret || u != user {
			t.Fatalf("Verify(%q, %q, %q) = %q, nil without the right app id, version and secret", appID, version, auth, user)
		}
	})
}

// FuzzDecodeOCS: any Nextcloud answer decodes to data or an error, never a panic.
func FuzzDecodeOCS(f *testing.F) {
	f.Add(200, []byte(`{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK"},"data":1}}`))
	f.Add(401, []byte(`{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"x"},"data":[]}}`))
	f.Add(412, []byte(`{"message":"CSRF check failed"}`))
	f.Add(404, []byte(`<html>`))
	f.Add(200, []byte(`{"ocs":null}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var out any
		err := decodeOCS("GET", "/x", status, body, &out)
		if err == nil && (status < 200 || status >= 300) {
			t.Fatalf("decodeOCS(%d) = nil error for a failure status", status)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	v := NewVerifier(testAppID, testSecret)
	h := signedHeader(testAppID, "1.0", "alice", testSecret)
	for b.Loop() {
		if _, err := v.Verify(h); err != nil {
			b.Fatal(err)
		}
	}
}
