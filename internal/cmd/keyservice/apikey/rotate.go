package apikey

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// maxGrace is the longest grace period the API accepts.
const maxGrace = 30 * 24 * time.Hour

// RotateOptions are the inputs of api-key rotate.
type RotateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	Key   string // id or name
	Grace cmdutil.Duration
}

// NewCmdRotate is api-key rotate.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "rotate KEY",
		Short: "Replace an API key by a new one with the same settings, and print the new secret once",
		Long: `Replace an API key by a new one with the same name, scopes and settings, and print the new
secret (shown this once). The old key stops working at once, or after --grace: consumers have
that long to switch to the new key. With --quiet only the new secret is printed.

A project that requires one-time codes needs --otp CODE (or KEYSERVICE_OTP).`,
		Example: `  keyservice api-key rotate ci-deployer --grace 24h
  NEW=$(keyservice api-key rotate ci-deployer --grace 1h -q)`,
		Args:              cmdutil.ExactArgs("KEY"),
		ValidArgsFunction: completeKeyNames(f, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if opts.Grace.D > maxGrace {
				return cmdutil.UsageErrorf("--grace %s: at most 30d", opts.Grace.D)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().Var(&opts.Grace, "grace", "how long the old key keeps working (24h, 1d; default 0: it stops at once; at most 30d)")
	return cmd
}

func rotateRun(ctx context.Context, opts *RotateOptions) error {
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
	k, err := res.APIKey(ctx, opts.Key)
	if err != nil {
		return err
	}
	next, err := c.RotateAPIKey(ctx, k.ID, client.RotateAPIKeyRequest{GracePeriodSeconds: int64(opts.Grace.D / time.Second)})
	if err != nil {
		return fmt.Errorf("rotating API key %s (%s): %w", k.Name, k.ID, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, secretWarning)
	return printer.Print(next, []string{next.Key}, detailsTable(*next, opts.Now()))
}
