package keyservice

import (
	"errors"
	"hash/crc32"
	"math/big"
	"strings"
	"testing"
)

func TestGenerateKeyFormat(t *testing.T) {
	for _, env := range []string{"", "production", "eu-west-1", "a", strings.Repeat("z", maxEnvironmentNameLen)} {
		seen := map[string]bool{}
		head := keyScheme
		if env != "" {
			head += env + "_"
		}
		for range 100 {
			k, err := GenerateKey(env)
			if err != nil {
				t.Fatal(err)
			}
			if len(k) != len(head)+keySecretLen+keyChecksumLen || !strings.HasPrefix(k, head) {
				t.Fatalf("env %q: bad key shape (length %d)", env, len(k))
			}
			if err := ParseKey(k); err != nil {
				t.Fatalf("env %q: generated key rejected: %v", env, err)
			}
			if seen[k] {
				t.Fatal("duplicate key")
			}
			seen[k] = true
		}
	}
}

func TestGenerateKeyRejectsBadEnvironment(t *testing.T) {
	for _, env := range []string{"Prod", "1st", "with_underscore", "-x", strings.Repeat("z", maxEnvironmentNameLen+1), "sp ace"} {
		if k, err := GenerateKey(env); err == nil {
			t.Errorf("GenerateKey(%q) = %d chars, want an error", env, len(k))
		}
	}
}

func TestKeyPrefix(t *testing.T) {
	plain, _ := GenerateKey("")
	if p := KeyPrefix(plain); p != plain[:12] {
		t.Errorf("KeyPrefix without environment = %q, want the first 12 characters %q", p, plain[:12])
	}
	prod, _ := GenerateKey("production")
	p := KeyPrefix(prod)
	if !strings.HasPrefix(p, "ks_production_") || len(p) != len("ks_production_")+keySecretShown {
		t.Errorf("KeyPrefix with environment = %q, want ks_production_ + %d characters", p, keySecretShown)
	}
}

func TestParseKeyRejects(t *testing.T) {
	good, err := GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	env, err := GenerateKey("staging")
	if err != nil {
		t.Fatal(err)
	}
	body := good[:keyLen-keyChecksumLen]
	flipped := []byte(good)
	// Change one secret character: the checksum no longer matches.
	if flipped[10] == 'a' {
		flipped[10] = 'b'
	} else {
		flipped[10] = 'a'
	}
	// Another valid environment name spliced in: the checksum covers the environment.
	swapped := "ks_stagind" + env[len("ks_staging"):]
	withChecksum := func(body string) string { return body + keyChecksum(body) }
	secret := body[len(keyScheme):]
	tests := []struct {
		name string
		key  string
		want error
	}{
		{"empty", "", ErrKeyLength},
		{"short", good[:len(good)-1], ErrKeyLength},
		{"long", good + "0", ErrKeyLength},
		{"too long for any environment", "ks_" + strings.Repeat("a", keyMaxLen), ErrKeyLength},
		{"scheme", "kx_" + good[3:], ErrKeyScheme},
		{"charset", body[:20] + "-" + body[21:] + keyChecksum(body[:20]+"-"+body[21:]), ErrKeyCharset},
		{"typo in secret", string(flipped), ErrKeyChecksum},
		{"typo in checksum", good[:len(good)-1] + string(otherBase62(good[len(good)-1])), ErrKeyChecksum},
		{"environment swapped", swapped, ErrKeyChecksum},
		{"uppercase environment", withChecksum("ks_Prod_" + secret), ErrKeyEnvironment},
		{"empty environment", withChecksum("ks__" + secret), ErrKeyEnvironment},
		{"environment starting with a digit", withChecksum("ks_1prod_" + secret), ErrKeyEnvironment},
		{"two environment segments", withChecksum("ks_eu_prod_" + secret), ErrKeyEnvironment},
		{"environment with a short secret", withChecksum("ks_prod_" + secret[:len(secret)-5]), ErrKeyLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ParseKey(tc.key); !errors.Is(err, tc.want) {
				t.Fatalf("ParseKey = %v, want %v", err, tc.want)
			}
		})
	}
}

func otherBase62(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func FuzzParseKey(f *testing.F) {
	good, _ := GenerateKey("")
	env, _ := GenerateKey("prod-eu")
	for _, s := range []string{
		good, env, "", "ks_", "ks_" + strings.Repeat("0", 49), strings.Repeat("z", keyLen), good[:keyLen-1] + "!",
		"ks_prod-eu_" + strings.Repeat("0", 49), "ks__" + good[3:], env[:len(env)-1] + "_", "ks_a_b_" + good[3:],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ParseKey(s)
		if err != nil {
			return
		}
		// Anything accepted has the documented shape and a valid checksum.
		if !strings.HasPrefix(s, keyScheme) {
			t.Fatalf("accepted key without scheme %q", s)
		}
		head := keyHeadLen(s)
		if head != len(keyScheme) && !environmentNamePattern.MatchString(s[len(keyScheme):head-1]) {
			t.Fatalf("accepted malformed environment %q", s)
		}
		if len(s)-head != keySecretLen+keyChecksumLen {
			t.Fatalf("accepted key with a random part of the wrong length %q", s)
		}
		n := len(s) - keyChecksumLen
		if keyChecksum(s[:n]) != s[n:] {
			t.Fatalf("accepted key with wrong checksum %q", s)
		}
	})
}

// TestChecksumDigitsMatchBase62Fixed holds the allocation-free checksum equal to the general
// base62 encoding that keys were first issued with.
func TestChecksumDigitsMatchBase62Fixed(t *testing.T) {
	bodies := []string{"", "ks_", "ks_production_0000000000000000000000000000000000000000000"}
	for i := range 2000 {
		bodies = append(bodies, strings.Repeat("x", i%60)+string(rune('A'+i%26)))
	}
	for _, body := range bodies {
		want := base62Fixed(new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(body)))), keyChecksumLen)
		if got := keyChecksum(body); got != want {
			t.Fatalf("keyChecksum(%q) = %q, want %q", body, got, want)
		}
	}
}
