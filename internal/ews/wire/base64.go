package wire

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Base64 is an xs:base64Binary value: bytes in Go, base64 text on the wire.
// (encoding/xml writes a plain []byte as raw text, which is wrong here.)
// https://www.w3.org/TR/xmlschema-2/#base64Binary
type Base64 []byte

// MarshalText encodes the bytes as standard base64.
func (b Base64) MarshalText() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

// UnmarshalText decodes base64 text, ignoring the white space and line breaks
// servers put into long values.
func (b *Base64) UnmarshalText(text []byte) error {
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, string(text))
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Some servers drop the padding.
		if out2, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err2 == nil {
			*b = out2
			return nil
		}
		return fmt.Errorf("wire: base64: %w", err)
	}
	*b = out
	return nil
}
