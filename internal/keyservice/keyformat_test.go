package keyservice

import (
	"errors"
	"strings"
	"testing"
)

func TestGenerateKeyFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		k, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != keyLen || !strings.HasPrefix(k, "ks_") {
			t.Fatalf("bad key shape %d", len(k))
		}
		if err := ParseKey(k); err != nil {
			t.Fatalf("generated key rejected: %v", err)
		}
		if seen[k] {
			t.Fatal("duplicate key")
		}
		seen[k] = true
	}
}

func TestParseKeyRejects(t *testing.T) {
	good, err := GenerateKey()
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
	tests := []struct {
		name string
		key  string
		want error
	}{
		{"empty", "", ErrKeyLength},
		{"short", good[:len(good)-1], ErrKeyLength},
		{"long", good + "0", ErrKeyLength},
		{"scheme", "kx_" + good[3:], ErrKeyScheme},
		{"charset", body[:20] + "-" + body[21:] + keyChecksum(body[:20]+"-"+body[21:]), ErrKeyCharset},
		{"typo in secret", string(flipped), ErrKeyChecksum},
		{"typo in checksum", good[:len(good)-1] + string(otherBase62(good[len(good)-1])), ErrKeyChecksum},
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
	good, _ := GenerateKey()
	for _, s := range []string{good, "", "ks_", "ks_" + strings.Repeat("0", 49), strings.Repeat("z", keyLen), good[:keyLen-1] + "!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ParseKey(s)
		if err != nil {
			return
		}
		// Anything accepted has the documented shape and a valid checksum.
		if len(s) != keyLen || !strings.HasPrefix(s, keyScheme) {
			t.Fatalf("accepted malformed key %q", s)
		}
		if keyChecksum(s[:keyLen-keyChecksumLen]) != s[keyLen-keyChecksumLen:] {
			t.Fatalf("accepted key with wrong checksum %q", s)
		}
	})
}
