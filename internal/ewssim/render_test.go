package ewssim

import (
	"testing"
	"time"
)

func TestISODuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "PT1H"}, {90 * time.Minute, "PT1H30M"}, {0, "PT0S"}, {24 * time.Hour, "P1D"}, {26*time.Hour + 5*time.Second, "P1DT2H5S"},
	}
	for _, tt := range tests {
		if got := isoDuration(tt.d); got != tt.want {
			t.Fatalf("isoDuration(%v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}
