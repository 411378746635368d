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

// UpdateOptions are the inputs of project update; a nil field is left as it is.
type UpdateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Project     string // id or name
	Name        *string
	Description *string
}

// NewCmdUpdate is project update.
func NewCmdUpdate(f *cmdutil.Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	var name, description string
	cmd := &cobra.Command{
		Use:     "update PROJECT",
		Short:   "Rename a project or change its description",
		Example: `  keyservice project update payments --name payments-eu`,
		Args:    cmdutil.ExactArgs("PROJECT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Project = args[0]
			if cmd.Flags().Changed("name") {
				opts.Name = &name
			}
			if cmd.Flags().Changed("description") {
				opts.Description = &description
			}
			if opts.Name == nil && opts.Description == nil {
				return cmdutil.UsageErrorf("nothing to update: pass --name or --description")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new name, unique among projects")
	cmd.Flags().StringVar(&description, "description", "", "new description")
	return cmd
}

func updateRun(ctx context.Context, opts *UpdateOptions) error {
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
	updated, err := c.UpdateProject(ctx, p.ID, client.UpdateProjectRequest{Name: opts.Name, Description: opts.Description})
	if err != nil {
		return fmt.Errorf("updating project %s (%s): %w", p.Name, p.ID, err)
	}
	return printer.Print(updated, []string{updated.ID}, detailsTable(*updated))
}
