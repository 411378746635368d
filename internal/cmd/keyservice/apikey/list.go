package apikey

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// ListOptions are the inputs of api-key ls.
type ListOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	ServiceAccount string // id or name
	Disabled       bool
	IncludeRevoked bool
	ExpiringWithin cmdutil.Duration
	UnusedFor      cmdutil.Duration
	Page           cmdutil.Page
}

// NewCmdList is api-key ls.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the project's API keys",
		Long: `List the project's API keys, oldest first.

By default the list holds the keys that are enabled and live; --disabled adds disabled keys,
--include-revoked adds revoked keys and keys replaced by a rotation. --offset and --limit page
through the result.

--expiring-within 30d lists the keys that expire within 30 days (expired ones included).
--unused-for 90d lists the keys nobody has used for 90 days: last used before then, or never
used and created before then. The API has no filter for that yet, so the command reads every
key of the project and filters them itself; --offset and --limit apply to what it found.`,
		Example: `  keyservice api-key ls
  keyservice api-key ls --service-account billing-worker --disabled
  keyservice api-key ls --unused-for 90d -q
  keyservice api-key ls --offset 100 --limit 50 -f json`,
		Args: cmdutil.NoArgs,
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
	cmd.Flags().StringVar(&opts.ServiceAccount, "service-account", "", "only the keys of this service account (id or name)")
	cmd.Flags().BoolVar(&opts.Disabled, "disabled", false, "include disabled keys")
	cmd.Flags().BoolVar(&opts.IncludeRevoked, "include-revoked", false, "include revoked keys and keys replaced by a rotation")
	cmd.Flags().Var(&opts.ExpiringWithin, "expiring-within", "only keys that expire within this long (30d, 36h)")
	cmd.Flags().Var(&opts.UnusedFor, "unused-for", "only keys not used for this long (90d)")
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
	now := opts.Now()
	query := client.ListAPIKeysOptions{ProjectID: proj.ID, IncludeRevoked: opts.IncludeRevoked}
	if !opts.Disabled {
		enabled := true
		query.Active = &enabled
	}
	if opts.ServiceAccount != "" {
		a, err := res.ServiceAccount(ctx, opts.ServiceAccount)
		if err != nil {
			return fmt.Errorf("--service-account: %w", err)
		}
		query.ServiceAccountID = a.ID
	}
	if opts.ExpiringWithin.IsSet() {
		before := now.Add(opts.ExpiringWithin.D)
		query.ExpiresBefore = &before
	}
	var keep func(client.APIKey) bool
	if opts.UnusedFor.IsSet() {
		keep = unusedSince(now.Add(-opts.UnusedFor.D))
	}
	keys, err := cmdutil.ReadPages(ctx, opts.Page, keep, func(ctx context.Context, size int, token string) ([]client.APIKey, string, error) {
		query.PageSize, query.PageToken = size, token
		p, err := c.ListAPIKeys(ctx, query)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextPageToken, nil
	})
	if err != nil {
		return fmt.Errorf("listing the API keys of project %s: %w", proj.Name, err)
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return printer.Print(keys, ids, listTable(keys, now))
}

// unusedSince accepts the keys not used since cutoff: last used before it, or never used and
// created before it (a key made yesterday has not been unused for 90 days).
func unusedSince(cutoff time.Time) func(client.APIKey) bool {
	return func(k client.APIKey) bool {
		last := k.CreatedAt
		if k.LastUsedAt != nil {
			last = *k.LastUsedAt
		}
		return last.Before(cutoff)
	}
}
