package seal

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseKeyring(t *testing.T) {
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(i)
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	hx := hex.EncodeToString(raw)
	tests := []struct {
		name    string
		in      string
		wantID  byte
		wantErr bool
	}{
		{"bare base64", b64, DefaultKeyID, false},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(raw), DefaultKeyID, false},
		{"hex", hx, DefaultKeyID, false},
		{"with id", "3:" + b64, 3, false},
		{"rotation", "4:" + hx + ", 3:" + b64, 4, false},
		{"short key", base64.StdEncoding.EncodeToString(raw[:16]), 0, true},
		{"garbage", "not a key!", 0, true},
		{"bad id", "x:" + b64, 0, true},
		{"id too big", "256:" + b64, 0, true},
		{"empty", "", 0, true},
		{"empty entry", b64 + ",", 0, true},
		{"duplicate id", "1:" + b64 + ",1:" + hx, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseKeyring(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseKeyring(%q) = nil error, want one", tc.in)
				}
				if strings.Contains(err.Error(), b64) || strings.Contains(err.Error(), hx) {
					t.Fatalf("ParseKeyring error quotes the key: %v", err)
				}
				return
			}
			if err != nil || s.CurrentKeyID() != tc.wantID {
				t.Fatalf("ParseKeyring(%q) = %v; current id want %d", tc.in, err, tc.wantID)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	a, b := GenerateKey(), GenerateKey()
	if a == b {
		t.Fatalf("GenerateKey twice = %q", a)
	}
	if _, err := ParseKeyring(a); err != nil {
		t.Fatalf("ParseKeyring(GenerateKey()) = %v", err)
	}
}
