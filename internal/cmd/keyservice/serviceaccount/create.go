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

// CreateOptions are the inputs of service-account create.
type CreateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Name        string
	Description string
	Inactive    bool
}

// NewCmdCreate is service-account create.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a service account in the project",
		Example: `  keyservice service-account create billing-worker --description "nightly billing export"`,
		Args:    cmdutil.ExactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Description, "description", "", "what the account is for")
	cmd.Flags().BoolVar(&opts.Inactive, "inactive", false, "create it inactive: its keys do not work until it is activated")
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
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
	active := !opts.Inactive
	a, err := c.CreateServiceAccount(ctx, client.CreateServiceAccountRequest{ProjectID: proj.ID, Name: opts.Name, Description: opts.Description, Active: &active})
	if err != nil {
		return fmt.Errorf("creating service account %q in project %s: %w", opts.Name, proj.Name, err)
	}
	return printer.Print(a, []string{a.ID}, detailsTable(*a))
}
