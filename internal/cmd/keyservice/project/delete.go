package project

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

// DeleteOptions are the inputs of project delete.
type DeleteOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Project string // id or name
	Yes     bool
}

// NewCmdDelete is project delete.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "delete PROJECT",
		Short: "Delete a project, revoking all of its keys",
		Long: `Delete a project together with its service accounts and environments; all of its keys are
revoked. On a terminal the command asks first; elsewhere it needs --yes.`,
		Example: `  keyservice project delete payments-sandbox --yes`,
		Args:    cmdutil.ExactArgs("PROJECT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Project = args[0]
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
	p, err := res.ProjectRef(ctx, opts.Project)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(opts.IO, opts.Yes, fmt.Sprintf("delete project %s (%s)", p.Name, p.ID),
		"Its service accounts and environments go with it, and all of its keys are revoked."); err != nil {
		return err
	}
	if err := c.DeleteProject(ctx, p.ID); err != nil {
		return fmt.Errorf("deleting project %s (%s): %w", p.Name, p.ID, err)
	}
	return printer.Print(output.Deleted{ID: p.ID}, []string{p.ID}, func(t *output.Table) {
		t.Row("Deleted", fmt.Sprintf("project %s (%s)", p.Name, p.ID))
	})
}
