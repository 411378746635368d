package cmdutil

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	good := map[string]time.Duration{
		"90d":   90 * day,
		"0d":    0,
		"36h":   36 * time.Hour,
		"30m":   30 * time.Minute,
		"1d12h": day + 12*time.Hour,
		" 2d ":  2 * day,
		"0":     0,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-3d", "3 days", "ninety", "1d-2h", "-1h", "1.5d", "99999d"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestDurationFlag(t *testing.T) {
	var d Duration
	if d.IsSet() || d.String() != "" {
		t.Fatalf("zero Duration: set %t, %q", d.IsSet(), d.String())
	}
	if err := d.Set("1d"); err != nil {
		t.Fatal(err)
	}
	if !d.IsSet() || d.D != 24*time.Hour || d.String() != "24h0m0s" {
		t.Fatalf("after Set(1d): set %t, %v, %q", d.IsSet(), d.D, d.String())
	}
}
