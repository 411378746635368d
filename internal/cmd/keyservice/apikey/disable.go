package apikey

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// ActiveOptions are the inputs of api-key disable and api-key enable.
type ActiveOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	Key    string // id or name
	Active bool   // what the key becomes
}

// NewCmdDisable is api-key disable.
func NewCmdDisable(f *cmdutil.Factory, runF func(context.Context, *ActiveOptions) error) *cobra.Command {
	return newCmdActive(f, runF, false, &cobra.Command{
		Use:   "disable KEY",
		Short: "Stop an API key from working until it is enabled again",
		Long: `Stop an API key from working until 'keyservice api-key enable' turns it back on. Unlike
revoke, this can be undone.`,
		Example: `  keyservice api-key disable ci-deployer`,
	})
}

func newCmdActive(f *cmdutil.Factory, runF func(context.Context, *ActiveOptions) error, active bool, cmd *cobra.Command) *cobra.Command {
	opts := &ActiveOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now, Active: active}
	cmd.Args = cmdutil.ExactArgs("KEY")
	cmd.ValidArgsFunction = completeKeyNames(f, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.Key = args[0]
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return activeRun(cmd.Context(), opts)
	}
	return cmd
}

func activeRun(ctx context.Context, opts *ActiveOptions) error {
	verb := "disabling"
	if opts.Active {
		verb = "enabling"
	}
	return patchKey(ctx, opts.Printer, opts.Resolver, opts.Client, opts.Now, opts.Key, verb, client.UpdateAPIKeyRequest{Active: &opts.Active})
}
