package appapi

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

const (
	testAppID  = "ews_connector"
	testSecret = "Zx9+/secretABC"
)

func signedHeader(appID, version, user, secret string) http.Header {
	h := http.Header{}
	if appID != "" {
		h.Set(HeaderAppID, appID)
	}
	if version != "" {
		h.Set(HeaderAppVersion, version)
	}
	h.Set(HeaderAuthorization, Sign(user, secret))
	return h
}

func rawHeader(auth string) http.Header {
	h := signedHeader(testAppID, "1", "", "")
	h.Set(HeaderAuthorization, auth)
	return h
}

// TestVerifySecurityChecks ports nc_py_api tests/_app_security_checks.py.
func TestVerifySecurityChecks(t *testing.T) {
	v := NewVerifier(testAppID, testSecret)
	tests := []struct {
		name    string
		h       http.Header
		want    error
		wantUsr string
	}{
		{"unsigned", http.Header{}, ErrUnsigned, ""},
		{"wrong secret", signedHeader(testAppID, "1.0", "admin", "nope"), ErrWrongSecret, ""},
		{"secret prefix", signedHeader(testAppID, "1.0", "admin", testSecret[:5]), ErrWrongSecret, ""},
		{"wrong app id", signedHeader("other_app", "1.0", "admin", testSecret), ErrWrongAppID, ""},
		{"no app id", signedHeader("", "1.0", "admin", testSecret), ErrWrongAppID, ""},
		{"empty version", signedHeader(testAppID, "", "admin", testSecret), ErrNoAppVersion, ""},
		{"not base64", rawHeader("%%%"), ErrMalformedAuth, ""},
		{"no colon", rawHeader(base64.StdEncoding.EncodeToString([]byte(testSecret))), ErrMalformedAuth, ""},
		{"user", signedHeader(testAppID, "1.0", "alice", testSecret), nil, "alice"},
		{"system", signedHeader(testAppID, "1.0", "", testSecret), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			user, err := v.Verify(tc.h)
			if !errors.Is(err, tc.want) || user != tc.wantUsr {
				t.Errorf("Verify() = %q, %v, want %q, %v", user, err, tc.wantUsr, tc.want)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	v := NewVerifier(testAppID, testSecret)
	var gotUser, gotReq string
	var gotOK bool
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUser, gotOK = UserFrom(r.Context())
		gotReq = RequestIDFrom(r.Context())
	}))
	for _, tc := range []struct {
		name string
		h    http.Header
		want int
	}{
		{"unsigned", http.Header{}, 401},
		{"wrong secret", signedHeader(testAppID, "1", "bob", "x"), 401},
		{"wrong app", signedHeader("x", "1", "bob", testSecret), 401},
		{"empty version", signedHeader(testAppID, "", "bob", testSecret), 401},
		{"ok", signedHeader(testAppID, "1", "bob", testSecret), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotOK = false
			req := httptest.NewRequest("GET", "/api/v1/accounts", nil)
			req.Header = tc.h
			req.Header.Set(HeaderRequestID, "rid1")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status = %d, want %d", rec.Code, tc.want)
			}
			if tc.want == 200 && (gotUser != "bob" || !gotOK || gotReq != "rid1") {
				t.Errorf("context = %q %v %q, want bob true rid1", gotUser, gotOK, gotReq)
			}
			if tc.want == 401 && gotOK {
				t.Errorf("handler ran for a rejected request")
			}
		})
	}
}

func TestUserFromUnverified(t *testing.T) {
	if u, ok := UserFrom(t.Context()); ok || u != "" {
		t.Errorf("UserFrom(empty) = %q, %v, want \"\", false", u, ok)
	}
}
