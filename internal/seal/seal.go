// Package seal encrypts the secrets the connector stores (passwords and
// tokens of Exchange accounts) with AES-256-GCM (NIST SP 800-38D,
// https://csrc.nist.gov/pubs/sp/800/38/d/final), so that the database only
// ever holds their sealed form.
//
// A sealed secret is
//
//	version(1) | key id(1) | key check(4) | nonce(12) | ciphertext | tag(16)
//
// Version is 1. The key id names the key in the keyring, so keys can
// rotate: a Sealer seals with its current key and opens with any key it
// holds. The key check is the start of HMAC-SHA-256(key, "seal key check")
// and tells a wrong key from tampered data. The nonce is random. The
// additional data bound into the tag is the five header bytes followed by
// the caller's binding, such as "account:42", so that a sealed value copied
// onto another row does not open.
//
// The AES key is derived from the configured key with HKDF-SHA-256
// (RFC 5869). This package never logs.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
)

// Version is the format version written in the first byte.
const Version = 1

// KeySize is the size of a key in bytes.
const KeySize = 32

const (
	headerSize = 1 + 1 + 4
	nonceSize  = 12
	tagSize    = 16
)

var (
	// ErrUnknownKey reports a sealed value whose key id is not in the keyring.
	ErrUnknownKey = errors.New("seal: sealed with a key that is not configured")
	// ErrWrongKey reports a sealed value whose key id is configured with
	// different key material.
	ErrWrongKey = errors.New("seal: sealed with a different key under the same id")
	// ErrTampered reports a value that fails authentication with the right
	// key: it was modified, or it was sealed for another binding.
	ErrTampered = errors.New("seal: authentication failed: data modified or bound to another owner")
	// ErrMalformed reports input that is not a sealed value of a known version.
	ErrMalformed = errors.New("seal: malformed sealed value")
)

// Key is one key of a keyring.
type Key struct {
	// ID names the key inside sealed values. Give each new key a new id.
	ID byte
	// Secret is the key material, KeySize random bytes.
	Secret []byte
}

type keyState struct {
	id    byte
	check [4]byte
	aead  cipher.AEAD
}

// Sealer seals with its current key and opens with any key of its keyring.
// It is safe for concurrent use.
type Sealer struct {
	current *keyState
	keys    map[byte]*keyState
}

// New returns a Sealer that seals with current and also opens values sealed
// with any of old.
func New(current Key, old ...Key) (*Sealer, error) {
	s := &Sealer{keys: make(map[byte]*keyState)}
	for i, k := range append([]Key{current}, old...) {
		if len(k.Secret) != KeySize {
			return nil, fmt.Errorf("seal: key %d is %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		}
		if _, dup := s.keys[k.ID]; dup {
			return nil, fmt.Errorf("seal: key id %d given twice", k.ID)
		}
		ks, err := newKeyState(k)
		if err != nil {
			return nil, err
		}
		s.keys[k.ID] = ks
		if i == 0 {
			s.current = ks
		}
	}
	return s, nil
}

func newKeyState(k Key) (*keyState, error) {
	aesKey, err := hkdf.Key(sha256.New, k.Secret, nil, "ews_connector seal v1 aes-256-gcm", 32)
	if err != nil {
		return nil, fmt.Errorf("seal: derive key: %w", err)
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	m := hmac.New(sha256.New, k.Secret)
	m.Write([]byte("seal key check"))
	ks := &keyState{id: k.ID, aead: aead}
	copy(ks.check[:], m.Sum(nil))
	return ks, nil
}

// CurrentKeyID returns the id of the key Seal uses.
func (s *Sealer) CurrentKeyID() byte { return s.current.id }

// Seal encrypts plaintext with the current key, bound to binding (for
// example "account:42"); Open must be given the same binding.
func (s *Sealer) Seal(plaintext []byte, binding string) []byte {
	k := s.current
	out := make([]byte, headerSize+nonceSize, headerSize+nonceSize+len(plaintext)+tagSize)
	out[0], out[1] = Version, k.id
	copy(out[2:headerSize], k.check[:])
	rand.Read(out[headerSize : headerSize+nonceSize]) // never fails (crypto/rand, Go 1.24)
	return k.aead.Seal(out, out[headerSize:headerSize+nonceSize], plaintext, aad(out[:headerSize], binding))
}

// Open decrypts a value made by Seal with the same binding. Its errors are
// ErrMalformed, ErrUnknownKey, ErrWrongKey or ErrTampered.
func (s *Sealer) Open(sealed []byte, binding string) ([]byte, error) {
	if len(sealed) < headerSize+nonceSize+tagSize || sealed[0] != Version {
		return nil, ErrMalformed
	}
	k, ok := s.keys[sealed[1]]
	if !ok {
		return nil, fmt.Errorf("%w (key id %d)", ErrUnknownKey, sealed[1])
	}
	if subtle.ConstantTimeCompare(k.check[:], sealed[2:headerSize]) != 1 {
		return nil, fmt.Errorf("%w (key id %d)", ErrWrongKey, k.id)
	}
	nonce := sealed[headerSize : headerSize+nonceSize]
	plain, err := k.aead.Open(nil, nonce, sealed[headerSize+nonceSize:], aad(sealed[:headerSize], binding))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}

// NeedsReseal reports whether sealed was made with a key other than the
// current one, so that a caller rotating keys can open and seal it again.
func (s *Sealer) NeedsReseal(sealed []byte) bool {
	return len(sealed) < headerSize || sealed[0] != Version || sealed[1] != s.current.id
}

func aad(header []byte, binding string) []byte {
	b := make([]byte, 0, len(header)+len(binding))
	return append(append(b, header...), binding...)
}
