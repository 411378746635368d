package cmdutil

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
)

// Confirm asks a person before a change that cannot be undone: action says what (e.g. "revoke
// API key ci (key_…)"), warning what follows from it. With --yes it asks nothing. Without, it
// asks on a terminal and goes on on "y" or "yes"; when standard input is not a terminal nobody
// can answer, so it refuses with a usage error rather than guess: a script says --yes.
func Confirm(io *iostreams.IOStreams, yes bool, action, warning string) error {
	if yes {
		return nil
	}
	if !io.IsStdinTTY() {
		return UsageErrorf("will not %s without confirmation: standard input is not a terminal, so nobody can answer; pass --yes", action)
	}
	r, size := utf8.DecodeRuneInString(action)
	fmt.Fprintf(io.ErrOut, "%c%s? %s [y/N] ", unicode.ToUpper(r), action[size:], warning)
	answer, err := io.ReadLine()
	if err != nil {
		return ErrCancelled
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return ErrCancelled
}
