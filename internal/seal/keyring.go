package seal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// DefaultKeyID is the id of a key configured without one.
const DefaultKeyID = 1

// ParseKeyring builds a Sealer from configuration text: a comma-separated
// list of keys, each "ID:KEY" or just "KEY" (id DefaultKeyID). The first
// key is the current one; the others only open older values. KEY is 32
// bytes in base64 (standard or URL alphabet, padded or not, RFC 4648) or in
// hex. Error messages never quote the key material.
//
// Rotation: put a new key with a new id first and keep the old one after
// it, e.g. "2:NEWKEY,1:OLDKEY"; values sealed with key 1 still open, and
// NeedsReseal tells which to seal again.
func ParseKeyring(s string) (*Sealer, error) {
	var keys []Key
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("seal: key %d of the keyring is empty", i+1)
		}
		k := Key{ID: DefaultKeyID}
		if idStr, rest, ok := strings.Cut(part, ":"); ok {
			id, err := strconv.ParseUint(idStr, 10, 8)
			if err != nil {
				return nil, fmt.Errorf("seal: key %d of the keyring: the id before ':' must be a number from 0 to 255", i+1)
			}
			k.ID, part = byte(id), rest
		}
		secret, err := DecodeKey(part)
		if err != nil {
			return nil, fmt.Errorf("%w (key %d of the keyring)", err, i+1)
		}
		k.Secret = secret
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("seal: empty keyring")
	}
	return New(keys[0], keys[1:]...)
}

// DecodeKey decodes one key of KeySize bytes written in base64 or hex.
func DecodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("seal: key decodes to %d bytes, want %d (generate one with: openssl rand -base64 32)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("seal: key is neither base64 nor hex (generate one with: openssl rand -base64 32)")
}

// GenerateKey returns a new random key in standard base64, for
// configuration and development setups.
func GenerateKey() string {
	b := make([]byte, KeySize)
	rand.Read(b) // never fails (crypto/rand, Go 1.24)
	return base64.StdEncoding.EncodeToString(b)
}
