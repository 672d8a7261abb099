package web

import (
	"net/http/httptest"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// BenchmarkHeartbeat measures GET /heartbeat through the whole middleware stack.
func BenchmarkHeartbeat(b *testing.B) {
	srv := New(Options{Verifier: appapi.NewVerifier(testAppID, testSecret)})
	req := httptest.NewRequest("GET", "/heartbeat", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkSignedAPIRequest measures an AppAPI-signed API request up to the handler (verification,
// logging, CSRF and user checks); without a store the handler answers 503.
func BenchmarkSignedAPIRequest(b *testing.B) {
	srv := New(Options{Verifier: appapi.NewVerifier(testAppID, testSecret)})
	req := httptest.NewRequest("GET", "/api/v1/accounts", nil)
	req.Header = signed("alice")
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 503 {
			b.Fatal(rec.Code)
		}
	}
}
