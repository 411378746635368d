package environment

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// DeleteOptions are the inputs of environment delete.
type DeleteOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Environment string // id or name
	Yes         bool
}

// NewCmdDelete is environment delete.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "delete ENVIRONMENT",
		Short: "Delete an environment that no working key is bound to",
		Long: `Delete an environment. The key service refuses while keys bound to it still work: revoke
them first. On a terminal the command asks first; elsewhere it needs --yes.`,
		Example: `  keyservice environment delete sandbox --yes`,
		Args:    cmdutil.ExactArgs("ENVIRONMENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Environment = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
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
	e, err := res.Environment(ctx, opts.Environment)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(opts.IO, opts.Yes, fmt.Sprintf("delete environment %s (%s)", e.Name, e.ID), "This cannot be undone."); err != nil {
		return err
	}
	if err := c.DeleteEnvironment(ctx, e.ID); err != nil {
		return fmt.Errorf("deleting environment %s (%s): %w", e.Name, e.ID, err)
	}
	return printer.Print(output.Deleted{ID: e.ID}, []string{e.ID}, func(t *output.Table) {
		t.Row("Deleted", fmt.Sprintf("environment %s (%s)", e.Name, e.ID))
	})
}
