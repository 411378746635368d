package provider

import "testing"

func TestKeySecretPatternMatchesEverySecretShape(t *testing.T) {
	secret := "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi" + "Abc123"
	for _, s := range []string{
		"ks_" + secret,
		"ks_production_" + secret,
		"ks_eu-west-1_" + secret,
		"whsec_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg",
	} {
		line := "got " + s + " in a message"
		if got := keySecretPattern.FindString(line); got != s {
			t.Errorf("in %q the pattern finds %q, want the whole secret", line, got)
		}
	}
}
