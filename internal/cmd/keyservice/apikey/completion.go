package apikey

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
)

// completionLimit bounds how many names one completion offers.
const completionLimit = 100

// completeKeyNames completes KEY arguments with the names of the project's live keys, the id as
// each one's description; many says whether the command takes more than one KEY. Without a
// working configuration it offers nothing rather than an error in the middle of a command line.
func completeKeyNames(f *cmdutil.Factory, many bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 && !many {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		res, err := f.Resolver()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		proj, err := res.Project(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		page, err := c.ListAPIKeys(cmd.Context(), client.ListAPIKeysOptions{ProjectID: proj.ID, NamePrefix: toComplete, PageSize: completionLimit})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, k := range page.Items {
			if !slices.Contains(args, k.Name) {
				names = append(names, cobra.CompletionWithDesc(k.Name, k.ID))
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
