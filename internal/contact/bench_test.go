package contact

import (
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// benchCards parses the corpus once.
func benchCards(b *testing.B) []vcard.Card {
	b.Helper()
	raw := corpus(b)
	var cards []vcard.Card
	for _, name := range sortedNames(raw) {
		cards = append(cards, mustParse(b, raw[name]))
	}
	return cards
}

func reportRate(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "contacts/s")
	}
}

// BenchmarkParse: vCard text to card, per contact.
func BenchmarkParse(b *testing.B) {
	raw := corpus(b)
	var data [][]byte
	for _, name := range sortedNames(raw) {
		data = append(data, raw[name])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := Parse(data[i%len(data)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

// BenchmarkFromVCard: a parsed card to the EWS contact to create.
func BenchmarkFromVCard(b *testing.B) {
	cards := benchCards(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, _, err := FromVCard(cards[i%len(cards)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b)
}

// BenchmarkMerge: a remote change merged into the local card and encoded,
// what the engine does per changed contact.
func BenchmarkMerge(b *testing.B) {
	cards := benchCards(b)
	type job struct {
		card  vcard.Card
		base  Canonical
		c     *wire.Contact
		photo *Photo
	}
	var jobs []job
	for i, card := range cards {
		c, p, _, _ := FromVCard(card)
		base, _ := CanonicalVCard(card)
		editRemote(c, uint8(i))
		jobs = append(jobs, job{card, base, c, p})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		j := jobs[i%len(jobs)]
		m, _, err := MergeIntoVCard(j.card, j.base, j.c, j.photo)
		if err != nil {
			b.Fatal(err)
		}
		_ = Encode(m)
	}
	reportRate(b)
}

// BenchmarkHash: both content hashes of one contact.
func BenchmarkHash(b *testing.B) {
	cards := benchCards(b)
	var cs []*wire.Contact
	for _, card := range cards {
		c, _, _, _ := FromVCard(card)
		cs = append(cs, c)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = HashVCard(cards[i%len(cards)])
		_ = HashEWS(cs[i%len(cs)], nil)
	}
	reportRate(b)
}
