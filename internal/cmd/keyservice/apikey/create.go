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

// CreateOptions are the inputs of api-key create.
type CreateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	Name           string
	ExpiryDays     int64 // 0: no expiry
	Scopes         []string
	Description    string
	ServiceAccount string // id or name
	Environment    string // id or name
}

// NewCmdCreate is api-key create; runF, when set, runs instead of the command (tests of flag parsing).
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an API key and print its secret, once",
		Long: `Create an API key in the project and print its secret.

The secret is shown this once: the key service keeps only a hash of it. With --quiet only the
secret is printed, for a script to capture. Without --expiry the key does not expire.

A project that requires one-time codes needs --otp CODE (or KEYSERVICE_OTP).`,
		Example: `  keyservice api-key create ci-deployer --expiry 90 --scope deploy:write --scope read
  keyservice api-key create billing --service-account billing-worker --environment production
  KEY=$(keyservice api-key create nightly-export -q)`,
		Args: cmdutil.ExactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if cmd.Flags().Changed("expiry") && opts.ExpiryDays < 1 {
				return cmdutil.UsageErrorf("--expiry %d: want a number of days, 1 or more (leave it out for a key that does not expire)", opts.ExpiryDays)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().Int64VarP(&opts.ExpiryDays, "expiry", "e", 0, "days until the key expires (default: never)")
	cmd.Flags().StringArrayVar(&opts.Scopes, "scope", nil, "a scope the key carries; repeat for several")
	cmd.Flags().StringVar(&opts.Description, "description", "", "what the key is for")
	cmd.Flags().StringVar(&opts.ServiceAccount, "service-account", "", "service account (id or name) that owns the key")
	cmd.Flags().StringVar(&opts.Environment, "environment", "", "environment (id or name) the key is bound to")
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	// The format is checked before the key exists: a secret must not be made and then lost.
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
	proj, err := res.Project(ctx)
	if err != nil {
		return err
	}
	req := client.CreateAPIKeyRequest{ProjectID: proj.ID, Name: opts.Name, Description: opts.Description, Scopes: opts.Scopes}
	if req.Scopes == nil {
		req.Scopes = []string{}
	}
	if opts.ExpiryDays > 0 {
		req.ExpiresInDays = &opts.ExpiryDays
	}
	if opts.ServiceAccount != "" {
		a, err := res.ServiceAccount(ctx, opts.ServiceAccount)
		if err != nil {
			return fmt.Errorf("--service-account: %w", err)
		}
		req.ServiceAccountID = &a.ID
	}
	if opts.Environment != "" {
		e, err := res.Environment(ctx, opts.Environment)
		if err != nil {
			return fmt.Errorf("--environment: %w", err)
		}
		req.EnvironmentID = &e.ID
	}
	k, err := c.CreateAPIKey(ctx, req)
	if err != nil {
		return fmt.Errorf("creating API key %q in project %s: %w", opts.Name, proj.Name, err)
	}
	fmt.Fprintln(opts.IO.ErrOut, secretWarning)
	return printer.Print(k, []string{k.Key}, detailsTable(*k, opts.Now()))
}
