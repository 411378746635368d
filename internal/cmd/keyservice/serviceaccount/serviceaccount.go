// Package serviceaccount is `keyservice service-account`: list, create, inspect, update and
// delete the service accounts of a project, each given by name or id. It needs the admin token
// or an API key with keys:admin (keys:read to list and inspect).
package serviceaccount

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// NewCmd is the service-account command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{
		Use:   "service-account",
		Short: "List, create, inspect, update and delete service accounts",
		Long: `List, create, inspect, update and delete the service accounts of the project: non-human
identities that own API keys. While an account is inactive none of its keys works. A SERVICE_ACCOUNT
argument is an account's id (sa_…) or its name in the project.`,
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

func detailsTable(a client.ServiceAccount) func(t *output.Table) {
	return func(t *output.Table) {
		t.Field("id", a.ID)
		t.Field("name", a.Name)
		t.Field("project", a.ProjectID)
		t.Field("active", strconv.FormatBool(a.Active))
		t.Field("description", output.Text(&a.Description))
		t.Field("created", output.Time(&a.CreatedAt))
		t.Field("updated", output.Time(&a.UpdatedAt))
	}
}
