// Package project is `keyservice project`: list, create, inspect, rename and delete projects,
// each given by name or id. Managing projects needs the admin token.
package project

import (
	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// NewCmd is the project command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{
		Use:   "project",
		Short: "List, create, inspect, update and delete projects (admin token)",
		Long: `List, create, inspect, update and delete projects: the boundary API keys, service
accounts and environments live in. A PROJECT argument is a project's id (prj_…) or its name.
Managing projects needs the admin token.`,
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

func detailsTable(p client.Project) func(t *output.Table) {
	return func(t *output.Table) {
		t.Field("id", p.ID)
		t.Field("name", p.Name)
		t.Field("description", output.Text(&p.Description))
		t.Field("one-time codes", map[bool]string{true: "required", false: "not required"}[p.RequireOTP])
		t.Field("created", output.Time(&p.CreatedAt))
		t.Field("updated", output.Time(&p.UpdatedAt))
		if p.WebhookSigningSecret != "" {
			t.Field("webhook signing secret", p.WebhookSigningSecret)
		}
	}
}
