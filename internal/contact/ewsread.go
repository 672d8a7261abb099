package contact

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
)

// CanonicalEWS returns the canonical form of an EWS contact and its photo
// (the contact photo attachment's content, nil when it has none), with an
// Issue for each entry it cannot map: a dictionary entry with an empty or
// unknown key, a repeated key (the first wins), a date that does not parse
// (its canonical value is then marked unreadable, and a merge leaves the
// local property alone). It never fails and never panics; a nil contact
// gives an empty Canonical.
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/contact
func CanonicalEWS(c *wire.Contact, photo *Photo) (Canonical, []Issue) {
	var is issues
	return canonicalEWS(c, photo, &is), is
}

func canonicalEWS(c *wire.Contact, photo *Photo, is *issues) Canonical {
	out := make(Canonical, 24)
	if c == nil {
		return out
	}
	for _, f := range ewsFields {
		out.set(f.key, f.get(c))
	}
	for _, k := range []string{keyBday, keyAnniversary} {
		if v := out[k]; isUnreadable(k, v) {
			is.add(k, fmt.Sprintf("date %q does not parse; the local value is left alone", truncate(v[1:], 40)))
		}
	}
	checkKeys(is, "EmailAddresses", emailKeys, c.EmailAddresses.Keys())
	checkKeys(is, "ImAddresses", imKeys, c.ImAddresses.Keys())
	checkKeys(is, "PhoneNumbers", phoneKeys, c.PhoneNumbers.Keys())
	checkKeys(is, "PhysicalAddresses", adrKeys, c.PhysicalAddresses.Keys())
	if photo != nil && len(photo.Data) > MaxPhotoBytes {
		is.add("photo", "contact photo above the size limit; not mapped")
	} else if photo != nil && len(photo.Data) > 0 {
		out[keyPhoto] = photo.digest()
	}
	if out[keyFN] == "" {
		if fn := deriveFN(out); fn != "" {
			out[keyFN] = fn
		}
	}
	return out
}

// checkKeys reports dictionary entries with an empty, unknown or repeated
// key; they are ignored (and never written or deleted).
func checkKeys(is *issues, dict string, known, got []string) {
	seen := make(map[string]bool, len(got))
	for _, k := range got {
		switch {
		case k == "":
			is.add(dict, "entry without a key ignored")
		case !slices.Contains(known, k):
			is.add(dict, fmt.Sprintf("unknown key %q ignored", truncate(k, 40)))
		case seen[k]:
			is.add(dict, fmt.Sprintf("key %q repeated; the first entry wins", k))
		}
		seen[k] = true
	}
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>`)
	htmlDrop  = regexp.MustCompile(`(?is)<\s*(head|style|script)\b.*?<\s*/\s*(head|style|script)\s*>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// htmlToText reduces an HTML body (Outlook writes contact notes as HTML) to
// its text: line breaks for block ends, tags dropped, entities decoded.
func htmlToText(s string) string {
	s = htmlDrop.ReplaceAllString(s, "")
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
}
