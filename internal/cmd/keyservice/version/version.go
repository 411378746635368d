// Package version is `keyservice version`.
package version

import (
	"context"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
)

// Options are the inputs of version.
type Options struct {
	IO      *iostreams.IOStreams
	Printer func() (*output.Printer, error)
	Version string
}

// Info is what version prints as JSON or YAML.
type Info struct {
	Version   string `json:"version"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// NewCmd is version.
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Printer: f.Printer, Version: f.Version}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of keyservice",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(opts)
		},
	}
}

func run(opts *Options) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	info := Info{Version: opts.Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	return printer.Print(info, []string{info.Version}, func(t *output.Table) {
		t.Row("keyservice", info.Version, info.GoVersion, info.Platform)
	})
}
