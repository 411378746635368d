package project

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// ListOptions are the inputs of project ls.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*client.Client, error)
	Printer func() (*output.Printer, error)

	Page cmdutil.Page
}

// NewCmdList is project ls.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List projects, oldest first",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Page.Check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	opts.Page.Register(cmd.Flags())
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	projects, err := cmdutil.ReadPages(ctx, opts.Page, nil, func(ctx context.Context, size int, token string) ([]client.Project, string, error) {
		p, err := c.ListProjects(ctx, size, token)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextPageToken, nil
	})
	if err != nil {
		return err
	}
	ids := make([]string, len(projects))
	for i, p := range projects {
		ids[i] = p.ID
	}
	return printer.Print(projects, ids, func(t *output.Table) {
		t.Row("ID", "NAME", "DESCRIPTION", "CREATED")
		for _, p := range projects {
			t.Row(p.ID, p.Name, output.Text(&p.Description), output.Time(&p.CreatedAt))
		}
	})
}
