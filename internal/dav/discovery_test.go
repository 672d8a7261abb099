package dav

import (
	"strings"
	"testing"
)

func TestDiscover(t *testing.T) {
	forEachBackend(t, func(t *testing.T, c *Client) {
		ctx := testContext(t)
		hs := homes(t, ctx, c)
		if hs.Principal == "" || !strings.HasSuffix(hs.Principal, "/") {
			t.Errorf("Discover().Principal = %q, want a collection href", hs.Principal)
		}
		if hs.Calendars == "" || hs.AddressBooks == "" {
			t.Fatalf("Discover() = %+v, want both home sets", hs)
		}
		t.Logf("home sets: %+v", hs)
	})
}
