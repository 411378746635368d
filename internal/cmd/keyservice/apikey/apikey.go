// Package apikey is `keyservice api-key`: create, list, inspect, update, disable, enable, rotate
// and revoke API keys, each given by name or id.
package apikey

import (
	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
)

// NewCmd is the api-key command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := cmdutil.GroupCommand(&cobra.Command{
		Use:   "api-key",
		Short: "Create, list, inspect, rotate and revoke API keys",
		Long: `Create, list, inspect, rotate and revoke API keys.

A KEY argument is a key's id (key_…) or its name. Names are unique among a project's live keys
and looked up in the configured project (--project or KEYSERVICE_PROJECT_ID); a revoked or
replaced key is found by its id.`,
	})
	cmd.AddCommand(
		NewCmdCreate(f, nil),
		NewCmdList(f, nil),
		NewCmdDetails(f, nil),
		NewCmdUpdate(f, nil),
		NewCmdDisable(f, nil),
		NewCmdEnable(f, nil),
		NewCmdRotate(f, nil),
		NewCmdRevoke(f, nil),
	)
	return cmd
}
