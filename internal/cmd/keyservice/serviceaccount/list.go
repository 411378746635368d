package serviceaccount

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// ListOptions are the inputs of service-account ls.
type ListOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)

	Page cmdutil.Page
}

// NewCmdList is service-account ls.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the project's service accounts, oldest first",
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
	accounts, err := cmdutil.ReadPages(ctx, opts.Page, nil, func(ctx context.Context, size int, token string) ([]client.ServiceAccount, string, error) {
		p, err := c.ListServiceAccounts(ctx, client.ListServiceAccountsOptions{ProjectID: proj.ID, PageSize: size, PageToken: token})
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextPageToken, nil
	})
	if err != nil {
		return fmt.Errorf("listing the service accounts of project %s: %w", proj.Name, err)
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return printer.Print(accounts, ids, func(t *output.Table) {
		t.Row("ID", "NAME", "ACTIVE", "DESCRIPTION", "CREATED")
		for _, a := range accounts {
			t.Row(a.ID, a.Name, strconv.FormatBool(a.Active), output.Text(&a.Description), output.Time(&a.CreatedAt))
		}
	})
}
