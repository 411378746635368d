package apikey

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// DetailsOptions are the inputs of api-key details.
type DetailsOptions struct {
	IO       *iostreams.IOStreams
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	Key string // id or name
}

// NewCmdDetails is api-key details.
func NewCmdDetails(f *cmdutil.Factory, runF func(context.Context, *DetailsOptions) error) *cobra.Command {
	opts := &DetailsOptions{IO: f.IO, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "details KEY",
		Short: "Show one API key (never its secret)",
		Example: `  keyservice api-key details ci-deployer
  keyservice api-key details key_4fQ2xY7aB1cD3eF5gH6i -f yaml`,
		Args:              cmdutil.ExactArgs("KEY"),
		ValidArgsFunction: completeKeyNames(f, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
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
	k, err := res.APIKey(ctx, opts.Key)
	if err != nil {
		return err
	}
	return printer.Print(k, []string{k.ID}, detailsTable(*k, opts.Now()))
}
