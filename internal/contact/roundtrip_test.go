package contact

import (
	"bytes"
	"testing"
)

func TestParseEncodeStable(t *testing.T) {
	cards := corpus(t)
	for _, name := range sortedNames(cards) {
		t.Run(name, func(t *testing.T) {
			card := mustParse(t, cards[name])
			once := Encode(card)
			twice := Encode(mustParse(t, once))
			if !bytes.Equal(once, twice) {
				t.Errorf("Encode(Parse(Encode(card))) differs:\n%s\n---\n%s", once, twice)
			}
		})
	}
}

// TestRoundTripVCard: vCard → EWS (through XML) → vCard keeps every mapped
// property, and both sides hash alike.
func TestRoundTripVCard(t *testing.T) {
	cards := corpus(t)
	for _, name := range sortedNames(cards) {
		t.Run(name, func(t *testing.T) {
			card := mustParse(t, cards[name])
			before := Encode(card)
			want, _ := CanonicalVCard(card)
			c, photo, _, err := FromVCard(card)
			if !bytes.Equal(Encode(card), before) {
				t.Errorf("FromVCard or CanonicalVCard modified the card")
			}
			if err != nil {
				t.Fatalf("FromVCard = %v", err)
			}
			c = wireRoundTrip(t, c)
			if got, _ := CanonicalEWS(c, photo); got.Hash() != want.Hash() {
				t.Errorf("CanonicalEWS(FromVCard) differs in %v", got.Diff(want))
			}
			back, _, err := ToVCard(c, photo)
			if err != nil {
				t.Fatalf("ToVCard = %v", err)
			}
			back = mustParse(t, Encode(back))
			if got, _ := CanonicalVCard(back); got.Hash() != want.Hash() {
				t.Errorf("CanonicalVCard(ToVCard(FromVCard)) differs in %v\n%s", got.Diff(want), Encode(back))
			}
			if HashVCard(card) != HashEWS(c, photo) {
				t.Errorf("HashVCard != HashEWS")
			}
			if ContactUID(c) != CardUID(card) || CardUID(back) != CardUID(card) {
				t.Errorf("UID: contact %q, back %q, want %q", ContactUID(c), CardUID(back), CardUID(card))
			}
			// Merging the contact back into its own card changes nothing.
			merged, _, err := MergeIntoVCard(card, nil, c, photo)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(Encode(merged), Encode(card)) {
				t.Errorf("MergeIntoVCard(card, FromVCard(card)) changed the card:\n%s\n---\n%s", Encode(card), Encode(merged))
			}
		})
	}
}
