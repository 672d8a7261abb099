package nextcloudsim

import (
	"strings"
	"testing"
)

func TestChangesSince(t *testing.T) {
	d := newDAVStore()
	d.ensureUser("u")
	c := d.collection(kindAddressBook, "u", "contacts")
	d.put(c, "a.vcf", []byte("A"), "a", "vcard", nil) // token 1 -> 2
	d.put(c, "b.vcf", []byte("B"), "b", "vcard", nil) // 2 -> 3
	d.put(c, "a.vcf", []byte("A2"), "a", "vcard", nil)
	c.detach("b.vcf")
	d.put(c, "c.vcf", []byte("C"), "c", "vcard", nil)
	c.detach("c.vcf") // created and deleted inside the window
	tests := []struct {
		name, token  string
		limit        int
		wantChanged  string
		wantDeleted  string
		wantToken    string
		wantTruncate bool
		wantErr      bool
	}{
		{"initial", "", 0, "a.vcf", "", syncTokenPrefix + "7", false, false},
		{"from 1", syncTokenPrefix + "1", 0, "a.vcf", "b.vcf c.vcf", syncTokenPrefix + "7", false, false},
		{"from 4", syncTokenPrefix + "4", 0, "", "b.vcf c.vcf", syncTokenPrefix + "7", false, false},
		{"current", syncTokenPrefix + "7", 0, "", "", syncTokenPrefix + "7", false, false},
		{"limited", syncTokenPrefix + "1", 1, "a.vcf", "", syncTokenPrefix + "2", true, false},
		{"future", syncTokenPrefix + "8", 0, "", "", "", false, true},
		{"zero", syncTokenPrefix + "0", 0, "", "", "", false, true},
		{"foreign", "urn:x", 0, "", "", "", false, true},
		{"bad init", syncTokenPrefix + "init_x_1", 0, "", "", "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.changesSince(tc.token, tc.limit)
			if (err != nil) != tc.wantErr {
				t.Fatalf("changesSince(%q) error = %v, want error %v", tc.token, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got := strings.Join(res.changed, " "); got != tc.wantChanged {
				t.Errorf("changesSince(%q).changed = %q, want %q", tc.token, got, tc.wantChanged)
			}
			if got := strings.Join(res.deleted, " "); got != tc.wantDeleted {
				t.Errorf("changesSince(%q).deleted = %q, want %q", tc.token, got, tc.wantDeleted)
			}
			if res.token != tc.wantToken || res.truncated != tc.wantTruncate {
				t.Errorf("changesSince(%q) token %q truncated %v, want %q %v", tc.token, res.token, res.truncated, tc.wantToken, tc.wantTruncate)
			}
		})
	}
	if got := etagOf([]byte("A2")); len(got) != 34 || got[0] != '"' {
		t.Errorf("etagOf = %q, want a quoted md5", got)
	}
}
