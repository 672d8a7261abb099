package dav

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

func TestObjectHref(t *testing.T) {
	long := strings.Repeat("a", 121)
	tests := []struct {
		name, coll, uid, ext, want string
	}{
		{"plain uid", "/dav/cal/", "nclab-event-d5ea00a8", ".ics", "/dav/cal/nclab-event-d5ea00a8.ics"},
		{"collection without slash", "/dav/cal", "a@b.example", ".vcf", "/dav/cal/a@b.example.vcf"},
		{"slash hashed", "/dav/cal/", "a/b", ".ics", "/dav/cal/c14cddc033f64b9dea80ea675cf280a0.ics"},
		{"space hashed", "/dav/cal/", "a b", ".ics", "/dav/cal/" + hashName("a b") + ".ics"},
		{"dot dot hashed", "/dav/cal/", "..", ".ics", "/dav/cal/" + hashName("..") + ".ics"},
		{"too long hashed", "/dav/cal/", long, ".ics", "/dav/cal/" + hashName(long) + ".ics"},
		{"empty hashed", "/dav/cal/", "", ".ics", "/dav/cal/" + hashName("") + ".ics"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ObjectHref(tc.coll, tc.uid, tc.ext)
			if got != tc.want {
				t.Errorf("ObjectHref(%q, %q, %q) = %q, want %q", tc.coll, tc.uid, tc.ext, got, tc.want)
			}
			if got != ObjectHref(tc.coll, tc.uid, tc.ext) {
				t.Errorf("ObjectHref(%q) is not deterministic", tc.uid)
			}
		})
	}
	if ObjectHref("/c/", "a/b", ".ics") == ObjectHref("/c/", "a b", ".ics") {
		t.Errorf("ObjectHref() maps two unsafe uids to one href")
	}
}

// hashName computes the expected hashed name independently of ObjectHref.
func hashName(s string) string {
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", sum[:16])
}
