package cmdutil

import (
	"strings"
	"testing"
)

func TestRefuseSecretArgs(t *testing.T) {
	const secret = "ks_4fQ2xY7aB1cD3eF5gH6i4fQ2xY7aB1cD3eF5gH6i4fQ0AbCdE"
	const envSecret = "ks_production_4fQ2xY7aB1cD3eF5gH6i4fQ2xY7aB1cD3eF5gH6i4fQ0AbCdE"
	for _, args := range [][]string{
		{"api-key", "details", secret},
		{"api-key", "revoke", "ci", envSecret, "--yes"},
		{"api-key", "create", "x", "--description=" + secret},
		{"verify", secret},
	} {
		err := RefuseSecretArgs(args)
		if ExitCode(err) != ExitUsage {
			t.Errorf("%q: err = %v, want a usage error", args, err)
			continue
		}
		if strings.Contains(err.Error(), "4fQ2x") {
			t.Errorf("%q: the error repeats the secret: %v", args, err)
		}
	}
	for _, args := range [][]string{
		{"api-key", "details", "ks_migration_from_the_legacy_system"},
		{"api-key", "details", "key_4fQ2xY7aB1cD3eF5gH6i"},
		{"api-key", "details", secret[:len(secret)-1]}, // not a whole secret
		{"api-key", "create", "ks_production_"},
	} {
		if err := RefuseSecretArgs(args); err != nil {
			t.Errorf("%q: err = %v, want none", args, err)
		}
	}
}
