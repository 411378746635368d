package cmdutil

import (
	"strings"
)

// keyTail is the length of the last segment of an API key's secret: 43 random base62 characters
// and a 6-character checksum, after "ks_" and an optional environment name (the key format of
// internal/keyservice/keyformat.go).
const keyTail = 43 + 6

// RefuseSecretArgs refuses a command line that holds an API key's secret, as an argument or a
// flag's value, before anything is sent or logged: a secret is only ever read from standard
// input. The error says which argument without repeating it.
func RefuseSecretArgs(args []string) error {
	for i, arg := range args {
		if _, value, ok := strings.Cut(arg, "="); ok && strings.HasPrefix(arg, "-") {
			arg = value
		}
		if looksLikeSecret(arg) {
			return UsageErrorf("argument %d is an API key's secret: keyservice never takes one from the command line, where it stays in the "+
				"shell's history (treat that key as exposed: rotate it). Commands take a key's name or id; verify reads the secret from standard input", i+1)
		}
	}
	return nil
}

func looksLikeSecret(s string) bool {
	if !strings.HasPrefix(s, "ks_") {
		return false
	}
	tail := s[strings.LastIndexByte(s, '_')+1:]
	return len(tail) == keyTail && strings.IndexFunc(tail, func(c rune) bool {
		return (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z')
	}) < 0
}
