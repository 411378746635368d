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

// UpdateOptions are the inputs of environment update; a nil field is left as it is.
type UpdateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Environment string // id or name
	Name        *string
	Description *string
}

// NewCmdUpdate is environment update.
func NewCmdUpdate(f *cmdutil.Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	var name, description string
	cmd := &cobra.Command{
		Use:   "update ENVIRONMENT",
		Short: "Rename an environment or change its description",
		Long: `Rename an environment or change its description. A new name shows in keys issued or
rotated from then on; keys issued before keep the name they were issued with.`,
		Example: `  keyservice environment update staging --name preprod`,
		Args:    cmdutil.ExactArgs("ENVIRONMENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Environment = args[0]
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
	cmd.Flags().StringVar(&name, "name", "", "new name, unique in the project")
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
	e, err := res.Environment(ctx, opts.Environment)
	if err != nil {
		return err
	}
	updated, err := c.UpdateEnvironment(ctx, e.ID, client.UpdateEnvironmentRequest{Name: opts.Name, Description: opts.Description})
	if err != nil {
		return fmt.Errorf("updating environment %s (%s): %w", e.Name, e.ID, err)
	}
	return printer.Print(updated, []string{updated.ID}, detailsTable(*updated))
}
