package serviceaccount

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

// DeleteOptions are the inputs of service-account delete.
type DeleteOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	ServiceAccount string // id or name
	Yes            bool
}

// NewCmdDelete is service-account delete.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "delete SERVICE_ACCOUNT",
		Short: "Delete a service account, revoking all of its keys",
		Long: `Delete a service account; all of its keys are revoked. On a terminal the command asks
first; elsewhere it needs --yes.`,
		Example: `  keyservice service-account delete billing-worker --yes`,
		Args:    cmdutil.ExactArgs("SERVICE_ACCOUNT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ServiceAccount = args[0]
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
	a, err := res.ServiceAccount(ctx, opts.ServiceAccount)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(opts.IO, opts.Yes, fmt.Sprintf("delete service account %s (%s)", a.Name, a.ID),
		"All of its keys are revoked."); err != nil {
		return err
	}
	if err := c.DeleteServiceAccount(ctx, a.ID); err != nil {
		return fmt.Errorf("deleting service account %s (%s): %w", a.Name, a.ID, err)
	}
	return printer.Print(output.Deleted{ID: a.ID}, []string{a.ID}, func(t *output.Table) {
		t.Row("Deleted", fmt.Sprintf("service account %s (%s)", a.Name, a.ID))
	})
}
