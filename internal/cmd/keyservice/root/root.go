// Package root is the keyservice command: its global flags, its subcommands, and Main, which
// runs it and turns its error into an exit code.
package root

import (
	"context"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/apikey"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/audit"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/completion"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/environment"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/project"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/serviceaccount"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/verify"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/version"
)

const long = `keyservice manages the API keys of a keyservice server: create, list, inspect, rotate and
revoke them by name or id, and the projects, service accounts and environments around them;
read the audit trail of who changed what.

Configuration, as for the Terraform provider (a flag wins over its variable):
  KEYSERVICE_ENDPOINT    --endpoint     base URL of the key service, e.g. http://127.0.0.1:8080
  KEYSERVICE_TOKEN       --token-stdin  the admin token, or an API key with a management scope
  KEYSERVICE_PROJECT_ID  -p/--project   the project (id or name) that names are looked up in
  KEYSERVICE_OTP         --otp          one-time code, for projects that require one
The token is never taken as an argument, where it would land in the shell's history: set the
variable, or pipe it in with --token-stdin.

Output: -f/--format table (for people), json or yaml (for scripts: the key service's API
objects, field for field, a list as an array); -q/--quiet prints only ids, or only the secret
on api-key create and rotate. -d/--debug traces every request on stderr, with secrets and the
token redacted.

` + cmdutil.ExitCodesHelp

// NewCmd is the keyservice command with every subcommand.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{
		Use:           "keyservice <command> <subcommand> [flags]",
		Short:         "Manage API keys in a keyservice server",
		Long:          long,
		SilenceErrors: true,
		SilenceUsage:  true,
	})
	f.Flags.Register(cmd.PersistentFlags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.AsUsageError(err) })
	cmd.CompletionOptions.DisableDefaultCmd = true // completion.NewCmd instead
	cmd.AddCommand(
		apikey.NewCmd(f),
		project.NewCmd(f),
		serviceaccount.NewCmd(f),
		environment.NewCmd(f),
		audit.NewCmd(f),
		verify.NewCmd(f, nil),
		completion.NewCmd(f, nil),
		version.NewCmd(f, nil),
	)
	return cmd
}

// Main runs keyservice with args and returns its exit code.
func Main(ver string, io *iostreams.IOStreams, args []string) int {
	if err := cmdutil.RefuseSecretArgs(args); err != nil {
		cmdutil.PrintError(io.ErrOut, err, "keyservice")
		return cmdutil.ExitCode(err)
	}
	f := &cmdutil.Factory{IO: io, Version: ver}
	cmd := NewCmd(f)
	cmd.SetArgs(args)
	cmd.SetIn(io.In)
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ran, err := cmd.ExecuteContextC(ctx)
	if err != nil {
		cmdutil.PrintError(io.ErrOut, err, ran.CommandPath())
	}
	return cmdutil.ExitCode(err)
}
