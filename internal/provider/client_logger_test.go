package provider

import (
	"strings"
	"testing"
)

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

func TestTraceRequested(t *testing.T) {
	for env, want := range map[string]bool{
		"":                                 false,
		"TF_LOG=debug":                     false,
		"TF_LOG=trace":                     true,
		"TF_LOG=JSON":                      true,
		"TF_LOG_PROVIDER=TRACE":            true,
		"TF_LOG_PROVIDER_KEYSERVICE=trace": true,
		"TF_LOG_SDK=trace":                 false,
	} {
		name, value, _ := strings.Cut(env, "=")
		getenv := func(k string) string {
			if k == name {
				return value
			}
			return ""
		}
		if got := traceRequested(getenv); got != want {
			t.Errorf("%q: traceRequested = %v, want %v", env, got, want)
		}
	}
}
