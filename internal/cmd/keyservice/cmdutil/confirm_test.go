package cmdutil

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
)

func TestConfirm(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		yes   bool
		input string
		want  error // nil, ErrCancelled, or a usage error (checked by exit code)
		usage bool
		asked bool
	}{
		{name: "--yes asks nothing", yes: true},
		{name: "--yes on a terminal asks nothing", tty: true, yes: true},
		{name: "no terminal refuses", usage: true},
		{name: "y", tty: true, input: "y\n", asked: true},
		{name: "YES", tty: true, input: " YES \r\n", asked: true},
		{name: "n", tty: true, input: "n\n", want: ErrCancelled, asked: true},
		{name: "empty answer", tty: true, input: "\n", want: ErrCancelled, asked: true},
		{name: "end of input", tty: true, input: "", want: ErrCancelled, asked: true},
		{name: "yes without a newline", tty: true, input: "yes", asked: true},
		{name: "yess", tty: true, input: "yess\n", want: ErrCancelled, asked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			io := iostreams.Test(strings.NewReader(tt.input), &bytes.Buffer{}, &stderr)
			io.SetStdinTTY(tt.tty)
			err := Confirm(io, tt.yes, "revoke API key ci (key_1)", "It stops working at once.")
			switch {
			case tt.usage:
				if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "will not revoke API key ci (key_1) without confirmation") {
					t.Errorf("err = %v, want a usage error", err)
				}
			case !errors.Is(err, tt.want) || (tt.want == nil && err != nil):
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			prompt := "Revoke API key ci (key_1)? It stops working at once. [y/N] "
			if asked := stderr.String() == prompt; asked != tt.asked {
				t.Errorf("stderr = %q, asked %t, want %t", stderr.String(), asked, tt.asked)
			}
		})
	}
}
