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

// UpdateOptions are the inputs of api-key update; a nil field is left as it is.
type UpdateOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	Key         string // id or name
	Name        *string
	Description *string
	Scopes      *[]string
}

// NewCmdUpdate is api-key update.
func NewCmdUpdate(f *cmdutil.Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now}
	var (
		name, description string
		scopes            []string
	)
	cmd := &cobra.Command{
		Use:   "update KEY",
		Short: "Rename an API key, or change its description or scopes",
		Long: `Rename an API key, or change its description or scopes. Only what is given changes;
--scope replaces all of the key's scopes with the ones given.`,
		Example: `  keyservice api-key update ci-deployer --name ci-deployer-2024 --description "GitHub Actions"
  keyservice api-key update ci-deployer --scope deploy:write --scope read`,
		Args:              cmdutil.ExactArgs("KEY"),
		ValidArgsFunction: completeKeyNames(f, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			flags := cmd.Flags()
			if flags.Changed("name") {
				opts.Name = &name
			}
			if flags.Changed("description") {
				opts.Description = &description
			}
			if flags.Changed("scope") {
				opts.Scopes = &scopes
			}
			if opts.Name == nil && opts.Description == nil && opts.Scopes == nil {
				return cmdutil.UsageErrorf("nothing to update: pass --name, --description or --scope")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new name, unique among the project's live keys")
	cmd.Flags().StringVar(&description, "description", "", "new description")
	cmd.Flags().StringArrayVar(&scopes, "scope", nil, "the key's scopes from now on; repeat for several")
	return cmd
}

func updateRun(ctx context.Context, opts *UpdateOptions) error {
	return patchKey(ctx, opts.Printer, opts.Resolver, opts.Client, opts.Now, opts.Key, "updating",
		client.UpdateAPIKeyRequest{Name: opts.Name, Description: opts.Description, Scopes: opts.Scopes})
}

// patchKey resolves ref, applies patch and prints the key as it is now; verb says what the patch
// does, for the error.
func patchKey(ctx context.Context, newPrinter func() (*output.Printer, error), newResolver func() (*resolve.Resolver, error),
	newClient func() (*client.Client, error), now func() time.Time, ref, verb string, patch client.UpdateAPIKeyRequest) error {
	printer, err := newPrinter()
	if err != nil {
		return err
	}
	res, err := newResolver()
	if err != nil {
		return err
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	k, err := res.APIKey(ctx, ref)
	if err != nil {
		return err
	}
	updated, err := c.UpdateAPIKey(ctx, k.ID, patch)
	if err != nil {
		return fmt.Errorf("%s API key %s (%s): %w", verb, k.Name, k.ID, err)
	}
	return printer.Print(updated, []string{updated.ID}, detailsTable(*updated, now()))
}
