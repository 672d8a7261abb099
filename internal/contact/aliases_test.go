package contact

import (
	"strings"
	"testing"
)

// TestClientAliases: the properties other clients use for the fields vCard
// 3.0 has no word for are read (and updated in place under their name).
func TestClientAliases(t *testing.T) {
	cards := corpus(t)
	tests := []struct {
		file string
		want map[string]string
	}{
		{"ios.vcf", map[string]string{keySpouse: "Jane Appleseed", keyBday: "--08-21", "tel.MobilePhone": "(408) 555-5270",
			"email.EmailAddress1": "john@icloud.example", "im.ImAddress1": "skype:jappleseed", keyURL: "https://www.apple.example"}},
		{"outlook-21.vcf", map[string]string{keySpouse: "Michael Plate", keyManager: "Nancy Davolio", keyAssistant: "Andrew Fuller",
			keyAnniversary: "2005-06-10", "im.ImAddress1": "tplate@im.example", "tel.BusinessFax": "(562) 555-0198",
			keyNote: "First line\nSecond line with café and a long text that continues"}},
		{"davx5.vcf", map[string]string{"tel.CompanyMainPhone": "+34 91 000 0000", "tel.AssistantPhone": "+34 91 444 4444",
			"tel.Pager": "+34 600 000 001", "tel.BusinessPhone2": "+34 91 222 2222", keyDepartment: "IT"}},
		{"nextcloud-30.vcf", map[string]string{keyPrefix: "Dr.", keySuffix: "MBA", keyMiddle: "Maria", keySpouse: "Jonas Schmidt",
			keyAnniversary: "2010-06-12", keyCategories: "Berlin\x1fKunden", "adr.Work.street": "", "adr.Business.street": "Friedrichstraße 100",
			keyNote: "Kennt sich mit Verträgen aus, bitte\nzuerst anrufen.", keyGender: "F"}},
		{"thunderbird.vcf", map[string]string{keyBday: "1970-01-01", keyAnniversary: "1999-05-05", "tel.MobilePhone": "+1 555 0101"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			canon, _ := CanonicalVCard(mustParse(t, cards[tt.file]))
			for k, v := range tt.want {
				if canon[k] != v {
					t.Errorf("canonical[%q] = %q, want %q", k, canon[k], v)
				}
			}
		})
	}
}

func TestAppleLabelledMerge(t *testing.T) {
	card := mustParse(t, corpus(t)["ios.vcf"])
	c, base := remoteOf(t, card)
	c.SpouseName = "Janet Appleseed"
	c.Manager = "Tim"
	got := mergeTwice(t, card, base, c)
	out := unfold(Encode(got))
	for _, want := range []string{"item4.X-ABRELATEDNAMES;TYPE=pref:Janet Appleseed", "item4.X-ABLABEL:_$!<Spouse>!$_", "X-MANAGER:Tim"} {
		if !strings.Contains(out, want) {
			t.Errorf("merged card lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "X-SPOUSE") {
		t.Errorf("merged card got an X-SPOUSE beside Apple's related name:\n%s", out)
	}
}

func TestVersion21Upgraded(t *testing.T) {
	card := mustParse(t, corpus(t)["outlook-21.vcf"])
	c, base := remoteOf(t, card)
	c.JobTitle = "Director"
	got := mergeTwice(t, card, base, c)
	if v := got.Value("VERSION"); v != "3.0" {
		t.Errorf("VERSION after a merge into a 2.1 card = %q, want 3.0", v)
	}
	c0, photo, _, _ := FromVCard(card)
	same, _, _ := MergeIntoVCard(card, base, wireRoundTrip(t, c0), photo)
	if v := same.Value("VERSION"); v != "2.1" {
		t.Errorf("VERSION after a merge that changes nothing = %q, want 2.1 kept", v)
	}
}
