package project

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// DetailsOptions are the inputs of project details.
type DetailsOptions struct {
	IO       *iostreams.IOStreams
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Project string // id or name
}

// NewCmdDetails is project details.
func NewCmdDetails(f *cmdutil.Factory, runF func(context.Context, *DetailsOptions) error) *cobra.Command {
	opts := &DetailsOptions{IO: f.IO, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:     "details PROJECT",
		Short:   "Show one project",
		Example: `  keyservice project details payments`,
		Args:    cmdutil.ExactArgs("PROJECT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Project = args[0]
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
	p, err := res.ProjectRef(ctx, opts.Project)
	if err != nil {
		return err
	}
	return printer.Print(p, []string{p.ID}, detailsTable(*p))
}
