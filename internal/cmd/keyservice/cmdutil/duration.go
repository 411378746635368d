package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a flag value for a span of time: whole days ("90d"), a Go duration ("36h",
// "30m"), or both ("1d12h"). It is never negative.
type Duration struct {
	D   time.Duration
	set bool
}

// ParseDuration reads a Duration's text.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("an empty duration: want days (90d), a duration (36h, 30m) or both (1d12h)")
	}
	var total time.Duration
	rest := s
	if days, after, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%q: want days (90d), a duration (36h, 30m) or both (1d12h)", s)
		}
		total, rest = time.Duration(n)*24*time.Hour, after
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%q: want days (90d), a duration (36h, 30m) or both (1d12h)", s)
		}
		total += d
	}
	return total, nil
}

func (d *Duration) String() string {
	if !d.set {
		return ""
	}
	return d.D.String()
}

func (d *Duration) Set(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	d.D, d.set = v, true
	return nil
}

func (d *Duration) Type() string { return "duration" }

// IsSet reports whether the flag was given.
func (d *Duration) IsSet() bool { return d.set }
