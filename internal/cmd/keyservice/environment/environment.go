// Package environment is `keyservice environment`: list, create, inspect, update and delete the
// environments of a project (production, staging, …), each given by name or id. It needs the
// admin token or an API key with keys:admin (keys:read to list and inspect).
package environment

import (
	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// NewCmd is the environment command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{
		Use:   "environment",
		Short: "List, create, inspect, update and delete environments",
		Long: `List, create, inspect, update and delete the environments of the project (production,
staging, …). A key bound to an environment carries its name in the secret: ks_production_….
An ENVIRONMENT argument is an environment's id (env_…) or its name in the project.`,
	})
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdCreate(f, nil),
		NewCmdDetails(f, nil),
		NewCmdUpdate(f, nil),
		NewCmdDelete(f, nil),
	)
	return cmd
}

func detailsTable(e client.Environment) func(t *output.Table) {
	return func(t *output.Table) {
		t.Field("id", e.ID)
		t.Field("name", e.Name)
		t.Field("project", e.ProjectID)
		t.Field("description", output.Text(&e.Description))
		t.Field("created", output.Time(&e.CreatedAt))
		t.Field("updated", output.Time(&e.UpdatedAt))
	}
}
