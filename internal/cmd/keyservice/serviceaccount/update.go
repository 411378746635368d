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

// UpdateOptions are the inputs of service-account update; a nil field is left as it is.
type UpdateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	ServiceAccount string // id or name
	Name           *string
	Description    *string
	Active         *bool
}

// NewCmdUpdate is service-account update.
func NewCmdUpdate(f *cmdutil.Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	var (
		name, description string
		active            bool
	)
	cmd := &cobra.Command{
		Use:   "update SERVICE_ACCOUNT",
		Short: "Rename a service account, change its description, or (de)activate it",
		Long: `Rename a service account, change its description, or deactivate it (--active=false): while
it is inactive none of its keys works; --active=true turns them back on.`,
		Example: `  keyservice service-account update billing-worker --active=false
  keyservice service-account update billing-worker --name billing-exporter`,
		Args: cmdutil.ExactArgs("SERVICE_ACCOUNT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ServiceAccount = args[0]
			if cmd.Flags().Changed("name") {
				opts.Name = &name
			}
			if cmd.Flags().Changed("description") {
				opts.Description = &description
			}
			if cmd.Flags().Changed("active") {
				opts.Active = &active
			}
			if opts.Name == nil && opts.Description == nil && opts.Active == nil {
				return cmdutil.UsageErrorf("nothing to update: pass --name, --description or --active")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new name, unique in the project")
	cmd.Flags().StringVar(&description, "description", "", "new description")
	cmd.Flags().BoolVar(&active, "active", true, "whether the account's keys work (--active=false to stop them)")
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
	a, err := res.ServiceAccount(ctx, opts.ServiceAccount)
	if err != nil {
		return err
	}
	updated, err := c.UpdateServiceAccount(ctx, a.ID, client.UpdateServiceAccountRequest{Name: opts.Name, Description: opts.Description, Active: opts.Active})
	if err != nil {
		return fmt.Errorf("updating service account %s (%s): %w", a.Name, a.ID, err)
	}
	return printer.Print(updated, []string{updated.ID}, detailsTable(*updated))
}
