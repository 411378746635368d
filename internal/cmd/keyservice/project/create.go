package project

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// CreateOptions are the inputs of project create.
type CreateOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*client.Client, error)
	Printer func() (*output.Printer, error)

	Name        string
	Description string
}

// NewCmdCreate is project create.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a project",
		Long: `Create a project. The answer holds the project's webhook signing secret (which signs the
key service's webhook deliveries for it), shown this once; --quiet prints only the id.`,
		Example: `  keyservice project create payments --description "payment services"`,
		Args:    cmdutil.ExactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Description, "description", "", "what the project is for")
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	p, err := c.CreateProject(ctx, client.CreateProjectRequest{Name: opts.Name, Description: opts.Description})
	if err != nil {
		return fmt.Errorf("creating project %q: %w", opts.Name, err)
	}
	if printer.Quiet {
		fmt.Fprintln(opts.IO.ErrOut, "Note: the project's webhook signing secret was not printed (--quiet); -f json shows it when a project is created.")
	} else {
		fmt.Fprintln(opts.IO.ErrOut, "Warning: this is the only time the project's webhook signing secret is shown. Store it where your webhook receivers read it.")
	}
	return printer.Print(p, []string{p.ID}, detailsTable(*p))
}
