package serviceaccount

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// DetailsOptions are the inputs of service-account details.
type DetailsOptions struct {
	IO       *iostreams.IOStreams
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	ServiceAccount string // id or name
}

// NewCmdDetails is service-account details.
func NewCmdDetails(f *cmdutil.Factory, runF func(context.Context, *DetailsOptions) error) *cobra.Command {
	opts := &DetailsOptions{IO: f.IO, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:     "details SERVICE_ACCOUNT",
		Short:   "Show one service account",
		Example: `  keyservice service-account details billing-worker`,
		Args:    cmdutil.ExactArgs("SERVICE_ACCOUNT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ServiceAccount = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return detailsRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func detailsRun(ctx context.Context, opts *DetailsOptions) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	res, err := opts.Resolver()
	if err != nil {
		return err
	}
	a, err := res.ServiceAccount(ctx, opts.ServiceAccount)
	if err != nil {
		return err
	}
	return printer.Print(a, []string{a.ID}, detailsTable(*a))
}
