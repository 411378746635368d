package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPrefixUpperBound: every string starting with the prefix is in [prefix, bound), and the
// bound is valid UTF-8 that does not itself start with the prefix.
func FuzzPrefixUpperBound(f *testing.F) {
	for _, seed := range []string{"a", "svc-", "z", "\u007f", "é", "\ud7ff", string(utf8.MaxRune), "a" + string(utf8.MaxRune), "日本"} {
		f.Add(seed, "x")
	}
	f.Fuzz(func(t *testing.T, prefix, rest string) {
		if !utf8.ValidString(prefix) || prefix == "" || !utf8.ValidString(rest) {
			return
		}
		bound, ok := PrefixUpperBound(prefix)
		name := prefix + rest
		if ok && (name < prefix || name >= bound) {
			t.Fatalf("%q starts with %q but is not below the bound %q", name, prefix, bound)
		}
		if !ok {
			return
		}
		if !utf8.ValidString(bound) {
			t.Fatalf("bound %q of %q is not valid UTF-8", bound, prefix)
		}
		if strings.HasPrefix(bound, prefix) {
			t.Fatalf("the bound %q itself starts with %q", bound, prefix)
		}
	})
}

func TestPrefixUpperBound(t *testing.T) {
	for prefix, want := range map[string]string{"svc-": "svc.", "a": "b", "aé": "aê", "a" + string(utf8.MaxRune): "b", "\ud7ff": "\ue000"} {
		if got, ok := PrefixUpperBound(prefix); !ok || got != want {
			t.Errorf("PrefixUpperBound(%q) = %q, %v; want %q", prefix, got, ok, want)
		}
	}
	if _, ok := PrefixUpperBound(string(utf8.MaxRune)); ok {
		t.Error("a prefix of MaxRune alone has no bound")
	}
}
