package dav

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxNameLen bounds the resource names ObjectHref makes from UIDs.
const maxNameLen = 120

// ObjectHref returns a deterministic href for a new object in collection, made from name (usually
// the iCalendar or vCard UID) and ext (".ics" or ".vcf"). A name of letters, digits and "-_.@+"
// (not starting with a dot) of at most 120 bytes is used as is; any other name becomes the first
// 32 hex digits of its SHA-256. The same UID always maps to the same href, so a create replayed
// after a crash meets If-None-Match: * (a 412) instead of making a duplicate.
func ObjectHref(collection, name, ext string) string {
	if !strings.HasSuffix(collection, "/") {
		collection += "/"
	}
	if !safeName(name) {
		sum := sha256.Sum256([]byte(name))
		name = hex.EncodeToString(sum[:16])
	}
	return collection + name + ext
}

func safeName(s string) bool {
	if s == "" || len(s) > maxNameLen || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == '@', c == '+':
		default:
			return false
		}
	}
	return true
}
