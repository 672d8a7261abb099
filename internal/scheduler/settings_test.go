package scheduler

import (
	"slices"
	"testing"
	"time"
)

func TestParseSettings(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want func(*Settings)
		bad  []string
	}{
		{name: "defaults", in: nil, want: func(*Settings) {}},
		{name: "all set", in: map[string]string{KeyMode: "active", KeyInterval: "15m", KeyAllowHosts: "mail.example.com, 10.0.0.0/8\n*.corp",
			KeyDenyHosts: "evil.example", KeyTLSVerify: "0", KeyMaxPerServer: "2", KeyMaxTotal: "3", KeyChangeSummaries: "1",
			KeyContactsInterval: "45s"},
			want: func(s *Settings) {
				s.Mode, s.Interval, s.ContactsInterval = Active, 15*time.Minute, 45*time.Second
				s.AllowHosts, s.DenyHosts = []string{"mail.example.com", "10.0.0.0/8", "*.corp"}, []string{"evil.example"}
				s.TLSVerify, s.MaxPerServer, s.MaxTotal, s.ChangeSummaries = false, 2, 3, true
			}},
		{name: "minutes as a number", in: map[string]string{KeyInterval: "60"}, want: func(s *Settings) { s.Interval = time.Hour }},
		{name: "raised to the minimum", in: map[string]string{KeyInterval: "1s"}, want: func(s *Settings) { s.Interval = time.Minute }},
		{name: "bad values keep defaults", in: map[string]string{KeyMode: "turbo", KeyInterval: "soon", KeyMaxTotal: "-1", KeyTLSVerify: "maybe"},
			want: func(*Settings) {}, bad: []string{KeyMode, KeyInterval, KeyTLSVerify, KeyMaxTotal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := DefaultSettings()
			tt.want(&want)
			got, bad := ParseSettings(tt.in, time.Minute)
			if !slices.Equal(bad, tt.bad) {
				t.Errorf("ParseSettings bad = %v, want %v", bad, tt.bad)
			}
			if got.Mode != want.Mode || got.Interval != want.Interval || got.ContactsInterval != want.ContactsInterval ||
				!slices.Equal(got.AllowHosts, want.AllowHosts) || !slices.Equal(got.DenyHosts, want.DenyHosts) ||
				got.TLSVerify != want.TLSVerify || got.MaxPerServer != want.MaxPerServer || got.MaxTotal != want.MaxTotal ||
				got.ChangeSummaries != want.ChangeSummaries {
				t.Errorf("ParseSettings(%v) = %+v, want %+v", tt.in, got, want)
			}
		})
	}
}
