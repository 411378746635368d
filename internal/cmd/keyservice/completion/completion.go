// Package completion is `keyservice completion SHELL`: the shell completion script, from cobra.
package completion

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
)

var shells = []string{"bash", "zsh", "fish", "powershell"}

// Options are the inputs of completion.
type Options struct {
	IO    *iostreams.IOStreams
	Shell string
}

// NewCmd is completion.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "completion SHELL",
		Short: "Print the shell completion script for bash, zsh, fish or powershell",
		Long: `Print the completion script for SHELL (bash, zsh, fish or powershell). Commands, flags and
the names of the project's live keys are completed.

  bash:        source <(keyservice completion bash)          # in ~/.bashrc
  zsh:         keyservice completion zsh > "${fpath[1]}/_keyservice"
  fish:        keyservice completion fish > ~/.config/fish/completions/keyservice.fish
  powershell:  keyservice completion powershell | Out-String | Invoke-Expression   # in $PROFILE`,
		ValidArgs: shells,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.ExactArgs("SHELL")(cmd, args); err != nil {
				return err
			}
			if !slices.Contains(shells, args[0]) {
				return cmdutil.UsageErrorf("unknown shell %q: want bash, zsh, fish or powershell", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Root(), opts)
		},
	}
	return cmd
}

func run(root *cobra.Command, opts *Options) error {
	switch opts.Shell {
	case "bash":
		return root.GenBashCompletionV2(opts.IO.Out, true)
	case "zsh":
		return root.GenZshCompletion(opts.IO.Out)
	case "fish":
		return root.GenFishCompletion(opts.IO.Out, true)
	}
	return root.GenPowerShellCompletionWithDesc(opts.IO.Out)
}
