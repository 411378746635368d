package apikey

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// maxRevokeBatch is the most keys POST /v1/api-keys/revoke takes at once.
const maxRevokeBatch = 1000

// RevokeOptions are the inputs of api-key revoke.
type RevokeOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Keys []string // ids or names
	Yes  bool
}

// revokeResult is the stable output of api-key revoke, the API's answer.
type revokeResult struct {
	Revoked []string `json:"revoked"`
}

// NewCmdRevoke is api-key revoke.
func NewCmdRevoke(f *cmdutil.Factory, runF func(context.Context, *RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "revoke KEY...",
		Short: "Revoke one or more API keys, all or none",
		Long: `Revoke one or more API keys: they stop working at once, for good.

All of the keys are looked up first; if any is not found, none is revoked. Then all are revoked
in one request, which the key service applies to all of them or to none.

On a terminal the command asks before revoking. When standard input is not a terminal (a
script, a pipe) nobody can answer, so it refuses unless --yes is given.

A project that requires one-time codes needs --otp CODE (or KEYSERVICE_OTP).`,
		Example: `  keyservice api-key revoke leaked-key
  keyservice api-key revoke ci-old key_4fQ2xY7aB1cD3eF5gH6i --yes
  keyservice api-key ls --unused-for 180d -q | xargs keyservice api-key revoke --yes`,
		Args:              cmdutil.MinimumArgs("KEY"),
		ValidArgsFunction: completeKeyNames(f, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Keys = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "revoke without asking")
	return cmd
}

func revokeRun(ctx context.Context, opts *RevokeOptions) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	res, err := opts.Resolver()
	if err != nil {
		return err
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	keys, err := res.APIKeys(ctx, opts.Keys)
	if err != nil {
		return fmt.Errorf("%w\nNothing was revoked", err)
	}
	if len(keys) > maxRevokeBatch {
		return cmdutil.UsageErrorf("%d keys: at most %d can be revoked at once; nothing was revoked", len(keys), maxRevokeBatch)
	}
	names := make([]string, len(keys))
	ids := make([]string, len(keys))
	for i, k := range keys {
		names[i] = fmt.Sprintf("%s (%s)", k.Name, k.ID)
		ids[i] = k.ID
	}
	action, warning := fmt.Sprintf("revoke %d API keys: %s", len(keys), strings.Join(names, ", ")), "They stop working at once, for good."
	if len(keys) == 1 {
		action, warning = "revoke API key "+names[0], "It stops working at once, for good."
	}
	if err := cmdutil.Confirm(opts.IO, opts.Yes, action, warning); err != nil {
		return err
	}
	if err := c.RevokeAPIKeys(ctx, ids); err != nil {
		outcome := "Nothing was revoked"
		if client.MayHaveApplied(err) {
			outcome = "The key service may have revoked them (all or none) before the answer was lost: check with 'keyservice api-key details'"
		}
		return fmt.Errorf("revoking %s: %w\n%s", strings.Join(names, ", "), err, outcome)
	}
	return printer.Print(revokeResult{Revoked: ids}, ids, func(t *output.Table) {
		for _, n := range names {
			t.Row("Revoked", n)
		}
	})
}
