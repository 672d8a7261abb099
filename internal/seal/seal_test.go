package seal

import (
	"bytes"
	"errors"
	"testing"
)

func key(id, fill byte) Key {
	return Key{ID: id, Secret: bytes.Repeat([]byte{fill}, KeySize)}
}

func mustNew(t *testing.T, cur Key, old ...Key) *Sealer {
	t.Helper()
	s, err := New(cur, old...)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	s := mustNew(t, key(1, 0xaa))
	for _, plain := range [][]byte{{}, []byte("hunter2"), bytes.Repeat([]byte("x"), 10000)} {
		sealed := s.Seal(plain, "account:42")
		if bytes.Contains(sealed, []byte("hunter2")) && len(plain) > 0 {
			t.Fatalf("Seal() output contains the plaintext")
		}
		got, err := s.Open(sealed, "account:42")
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open(Seal(%d bytes)) = %d bytes, %v", len(plain), len(got), err)
		}
	}
	a, b := s.Seal([]byte("same"), "b"), s.Seal([]byte("same"), "b")
	if bytes.Equal(a, b) {
		t.Fatalf("Seal twice gave the same output: the nonce is not random")
	}
}

func TestOpenErrors(t *testing.T) {
	s := mustNew(t, key(1, 0xaa))
	sealed := s.Seal([]byte("secret"), "account:1")
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name    string
		sealer  *Sealer
		in      []byte
		binding string
		want    error
	}{
		{"wrong key same id", mustNew(t, key(1, 0xbb)), sealed, "account:1", ErrWrongKey},
		{"unknown key id", mustNew(t, key(2, 0xaa)), sealed, "account:1", ErrUnknownKey},
		{"wrong binding", s, sealed, "account:2", ErrTampered},
		{"tampered ciphertext", s, flip(len(sealed) - 20), "account:1", ErrTampered},
		{"tampered tag", s, flip(len(sealed) - 1), "account:1", ErrTampered},
		{"tampered nonce", s, flip(headerSize), "account:1", ErrTampered},
		{"tampered key check", s, flip(2), "account:1", ErrWrongKey},
		{"truncated", s, sealed[:headerSize+nonceSize+tagSize-1], "account:1", ErrMalformed},
		{"empty", s, nil, "account:1", ErrMalformed},
		{"unknown version", s, flip(0), "account:1", ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sealer.Open(tc.in, tc.binding)
			if !errors.Is(err, tc.want) || got != nil {
				t.Fatalf("Open() = %q, %v, want nil, %v", got, err, tc.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	old := mustNew(t, key(1, 0xaa))
	sealedOld := old.Seal([]byte("pw"), "account:7")
	rotated := mustNew(t, key(2, 0xcc), key(1, 0xaa))
	if !rotated.NeedsReseal(sealedOld) {
		t.Fatalf("NeedsReseal(old value) = false, want true")
	}
	got, err := rotated.Open(sealedOld, "account:7")
	if err != nil || string(got) != "pw" {
		t.Fatalf("Open(old value) after rotation = %q, %v", got, err)
	}
	sealedNew := rotated.Seal(got, "account:7")
	if sealedNew[1] != 2 || rotated.NeedsReseal(sealedNew) {
		t.Fatalf("Seal after rotation used key %d, NeedsReseal = %v; want key 2, false", sealedNew[1], rotated.NeedsReseal(sealedNew))
	}
	if _, err := old.Open(sealedNew, "account:7"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old sealer Open(new value) = %v, want ErrUnknownKey", err)
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	if _, err := New(Key{ID: 1, Secret: make([]byte, 16)}); err == nil {
		t.Errorf("New(16-byte key) = nil error")
	}
	if _, err := New(key(1, 1), key(1, 2)); err == nil {
		t.Errorf("New(duplicate ids) = nil error")
	}
}

func FuzzOpen(f *testing.F) {
	s, _ := New(key(1, 0xaa))
	f.Add(s.Seal([]byte("x"), "account:1"), "account:1")
	f.Add([]byte{1, 1, 0, 0, 0, 0}, "")
	f.Fuzz(func(t *testing.T, in []byte, binding string) {
		if _, err := s.Open(in, binding); err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTampered) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrWrongKey) {
			t.Fatalf("Open() = %v: not a typed error", err)
		}
	})
}
