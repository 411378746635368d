package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
)

// ExactArgs accepts exactly one argument per name in names (e.g. "KEY"); anything else is a
// usage error that names what is missing or extra.
func ExactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			return UsageErrorf("%s needs %s", cmd.CommandPath(), names[len(args)])
		case len(args) > len(names):
			return UsageErrorf("%s takes %d argument(s), got %d: %q is one too many", cmd.CommandPath(), len(names), len(args), args[len(names)])
		}
		return nil
	}
}

// MinimumArgs accepts one argument or more, e.g. "KEY…".
func MinimumArgs(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return UsageErrorf("%s needs at least one %s", cmd.CommandPath(), name)
		}
		return nil
	}
}

// NoArgs accepts no argument.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// GroupCommand makes cmd (a noun such as api-key) show its help when run alone, and refuse an
// unknown subcommand with a usage error rather than cobra's help-and-success.
func GroupCommand(cmd *cobra.Command) *cobra.Command {
	cmd.SuggestionsMinimumDistance = 2 // what cobra's own unknown-command error uses
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		if suggestions := c.SuggestionsFor(args[0]); len(suggestions) > 0 {
			return UsageErrorf("unknown command %q for %q: did you mean %s?", args[0], c.CommandPath(), strings.Join(suggestions, " or "))
		}
		return UsageErrorf("unknown command %q for %q", args[0], c.CommandPath())
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		return c.Help()
	}
	return cmd
}
