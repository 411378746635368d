package apikey

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
)

// run parses args with cmd and reports the error and whether the command's run function was
// reached; the run functions are replaced (runF), so nothing talks to a server.
func run(t *testing.T, cmd *cobra.Command, ran *bool, args ...string) error {
	t.Helper()
	*ran = false
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

func testFactory() *cmdutil.Factory {
	return &cmdutil.Factory{IO: iostreams.Test(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})}
}

// update sends only what was given: an empty --description clears it, no --scope leaves the
// scopes alone, and nothing at all is a usage error.
func TestUpdateFlags(t *testing.T) {
	var (
		got *UpdateOptions
		ran bool
	)
	newCmd := func() *cobra.Command {
		return NewCmdUpdate(testFactory(), func(_ context.Context, o *UpdateOptions) error { got, ran = o, true; return nil })
	}
	if err := run(t, newCmd(), &ran, "ci", "--description", ""); err != nil || !ran {
		t.Fatalf("err = %v, ran %t", err, ran)
	}
	if got.Key != "ci" || got.Name != nil || got.Scopes != nil || got.Description == nil || *got.Description != "" {
		t.Errorf("--description '': %+v", got)
	}
	if err := run(t, newCmd(), &ran, "ci", "--scope", "a", "--scope", "b", "--name", "ci-2"); err != nil || !ran {
		t.Fatalf("err = %v, ran %t", err, ran)
	}
	if got.Description != nil || *got.Name != "ci-2" || !slices.Equal(*got.Scopes, []string{"a", "b"}) {
		t.Errorf("--scope a --scope b --name ci-2: %+v", got)
	}
	err := run(t, newCmd(), &ran, "ci")
	if ran || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("no flags: err = %v, ran %t; want a usage error", err, ran)
	}
}

func TestCreateFlags(t *testing.T) {
	var (
		got *CreateOptions
		ran bool
	)
	newCmd := func() *cobra.Command {
		return NewCmdCreate(testFactory(), func(_ context.Context, o *CreateOptions) error { got, ran = o, true; return nil })
	}
	if err := run(t, newCmd(), &ran, "ci", "-e", "90", "--scope", "read", "--service-account", "sa", "--environment", "env"); err != nil || !ran {
		t.Fatalf("err = %v, ran %t", err, ran)
	}
	if got.Name != "ci" || got.ExpiryDays != 90 || !slices.Equal(got.Scopes, []string{"read"}) || got.ServiceAccount != "sa" || got.Environment != "env" {
		t.Errorf("parsed %+v", got)
	}
	for _, args := range [][]string{{"ci", "--expiry", "0"}, {"ci", "--expiry", "-1"}, {}, {"a", "b"}} {
		if err := run(t, newCmd(), &ran, args...); ran || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%q: err = %v, ran %t; want a usage error", args, err, ran)
		}
	}
}

func TestRotateGraceFlag(t *testing.T) {
	var (
		got *RotateOptions
		ran bool
	)
	newCmd := func() *cobra.Command {
		return NewCmdRotate(testFactory(), func(_ context.Context, o *RotateOptions) error { got, ran = o, true; return nil })
	}
	if err := run(t, newCmd(), &ran, "ci"); err != nil || !ran || got.Grace.IsSet() || got.Grace.D != 0 {
		t.Fatalf("no --grace: err = %v, ran %t, %+v", err, ran, got)
	}
	if err := run(t, newCmd(), &ran, "ci", "--grace", "30d"); err != nil || !ran || got.Grace.D.Hours() != 720 {
		t.Fatalf("--grace 30d: err = %v, ran %t, %+v", err, ran, got)
	}
	if err := run(t, newCmd(), &ran, "ci", "--grace", "30d1s"); ran || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("--grace 30d1s: err = %v, ran %t; want a usage error", err, ran)
	}
}
