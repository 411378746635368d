// Package verify is `keyservice verify`: check an API key read from standard input, as a relying
// service would.
package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// Options are the inputs of verify.
type Options struct {
	IO      *iostreams.IOStreams
	Client  func() (*client.Client, error)
	Printer func() (*output.Printer, error)
}

// NewCmd is verify.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Client: f.AnonymousClient, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check an API key read from standard input",
		Long: `Check an API key as a relying service would (POST /v1/verify) and print what it grants.

The key is read from standard input, never from the command line, where it would be kept in the
shell's history and shown to other users by ps. On a terminal it is asked for without echo.
No token is needed: the key is the credential checked. A successful check counts as a use of
the key (its last_used_at). A key that is unknown, revoked, expired or disabled is an error
(exit code 1).`,
		Example: `  keyservice verify < key.txt
  printenv DEPLOY_KEY | keyservice verify -q`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				// The argument may be the key itself (one with a typo gets past RefuseSecretArgs):
				// it is not repeated here.
				return cmdutil.UsageErrorf("verify reads the key from standard input, not from the command line, where it would land in the shell's history: keyservice verify < key.txt")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.Flags.TokenStdin {
				return cmdutil.UsageErrorf("verify reads the key from standard input, so the token cannot come from there too (and verify needs no token): drop --token-stdin")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	key, err := opts.IO.ReadSecret("API key: ")
	if err != nil {
		return err
	}
	if key == "" {
		return cmdutil.UsageErrorf("standard input held no key: keyservice verify < key.txt")
	}
	res, err := c.Verify(ctx, key)
	if errors.Is(err, client.ErrUnauthorized) {
		// Not wrapped: the 401 is about the key read, not about KEYSERVICE_TOKEN, which PrintError
		// would otherwise suggest checking.
		return fmt.Errorf("the key is not valid: it is unknown, revoked, expired or disabled, or its service account is inactive (%v)", err)
	}
	if err != nil {
		return err
	}
	return printer.Print(res, []string{res.ID}, func(t *output.Table) {
		t.Field("valid", "yes")
		t.Field("id", res.ID)
		t.Field("project", res.ProjectID)
		t.Field("service account", output.Text(res.ServiceAccountID))
		t.Field("environment", output.Text(res.EnvironmentID))
		t.Field("scopes", output.List(res.Scopes))
		t.Field("expires", output.Time(res.ExpiresAt))
	})
}
