// Package appapi implements the Nextcloud AppAPI protocol for an External App (ExApp): verifying the
// requests Nextcloud sends to the app, and an OCS/DAV client that calls Nextcloud with AppAPI
// authentication. The protocol is described in the Nextcloud developer manual,
// https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/Authentication.html,
// and implemented by nextcloud/app_api lib/Service/AppAPIService.php and cloud-py-api/nc_py_api _session.py.
package appapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

// Header names of the AppAPI authentication (AppAPI lib/Service/AppAPICommonService.php::buildAppAPIAuthHeaders).
const (
	HeaderAppID         = "EX-APP-ID"
	HeaderAppVersion    = "EX-APP-VERSION"
	HeaderAuthorization = "AUTHORIZATION-APP-API"
	HeaderAAVersion     = "AA-VERSION"
	HeaderRequestID     = "AA-REQUEST-ID"
	HeaderOCSAPIRequest = "OCS-APIRequest"
	HeaderHaRPSharedKey = "HARP-SHARED-KEY"
)

// Verification errors; all of them mean HTTP 401.
var (
	ErrUnsigned      = errors.New("appapi: request is not signed")
	ErrWrongAppID    = errors.New("appapi: EX-APP-ID does not match APP_ID")
	ErrNoAppVersion  = errors.New("appapi: EX-APP-VERSION is empty")
	ErrMalformedAuth = errors.New("appapi: AUTHORIZATION-APP-API is not base64 of user:secret")
	ErrWrongSecret   = errors.New("appapi: wrong secret")
)

// Verifier checks that a request comes from Nextcloud's AppAPI, as nc_py_api
// NcSessionAppBasic.sign_check does.
type Verifier struct {
	appID      string
	secretHash [32]byte
}

// NewVerifier returns a Verifier for the app id and shared secret (APP_ID, APP_SECRET).
func NewVerifier(appID, secret string) *Verifier {
	return &Verifier{appID: appID, secretHash: sha256.Sum256([]byte(secret))}
}

// Verify checks EX-APP-ID (equal to APP_ID), EX-APP-VERSION (non-empty) and AUTHORIZATION-APP-API
// (base64 of "user:secret", the secret compared in constant time) and returns the acting user id, which
// is empty for system calls. EX-APP-VERSION is deliberately not compared with APP_VERSION and AA-VERSION
// is not checked (HaRP rewrites it).
func (v *Verifier) Verify(h http.Header) (string, error) {
	appID, version, auth := h.Get(HeaderAppID), h.Get(HeaderAppVersion), h.Get(HeaderAuthorization)
	if appID == "" && auth == "" {
		return "", ErrUnsigned
	}
	if version == "" {
		return "", ErrNoAppVersion
	}
	if appID != v.appID {
		return "", ErrWrongAppID
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(auth))
	if err != nil {
		return "", ErrMalformedAuth
	}
	user, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", ErrMalformedAuth
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], v.secretHash[:]) != 1 {
		return "", ErrWrongSecret
	}
	return user, nil
}

// Middleware rejects unverified requests with 401 and a JSON error, and puts the acting user and the
// AA-REQUEST-ID into the request context (see UserFrom and RequestIDFrom).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := v.Verify(r.Header)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
			return
		}
		ctx := WithUser(r.Context(), user)
		if id := r.Header.Get(HeaderRequestID); id != "" {
			ctx = WithRequestID(ctx, id)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type ctxKey int

const (
	userKey ctxKey = iota
	requestIDKey
)

// WithUser returns a context carrying the verified Nextcloud user id ("" for system calls).
func WithUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey, user)
}

// UserFrom returns the verified user id and whether the request was verified at all. A verified system
// call returns ("", true).
func UserFrom(ctx context.Context) (string, bool) {
	u, ok := ctx.Value(userKey).(string)
	return u, ok
}

// WithRequestID returns a context carrying Nextcloud's AA-REQUEST-ID; the Client sends it back so that
// Nextcloud's logs correlate (nc_py_api integration_fastapi.py).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFrom returns the AA-REQUEST-ID carried by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// Sign returns the AUTHORIZATION-APP-API value for user and secret.
func Sign(user, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
}
