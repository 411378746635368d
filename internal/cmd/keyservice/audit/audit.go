// Package audit is `keyservice audit`: the project's audit trail, who did what to which key,
// service account, environment or project, when and from where. It needs the admin token or an
// API key with a management scope of the project.
package audit

import (
	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
)

// NewCmd is the audit command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{
		Use:   "audit",
		Short: "Read the audit trail",
		Long: `Read the project's audit trail: every change the key service made (keys created, updated,
disabled, rotated, revoked, expired; service accounts, environments and the project changed),
each refused management request, who did it (the admin token, a key by id and name, a job of
the server, a leak report), from which address, in which request. No event holds a secret.`,
	})
	cmd.AddCommand(NewCmdList(f, nil))
	return cmd
}
