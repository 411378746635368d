// Package cmdutil holds what every keyservice command shares: the global flags and the
// configuration they give, the client and the resolver built from it, the printer, exit codes
// and error messages, duration flags and confirmations.
package cmdutil

import (
	"sync"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// Factory builds, on first use and after the flags are parsed, what commands need. Commands
// take its methods into their options structs, so a test can hand them something else.
type Factory struct {
	IO      *iostreams.IOStreams
	Version string
	Flags   GlobalFlags

	configOnce sync.Once
	config     Config
	configErr  error

	client   *client.Client
	resolver *resolve.Resolver
}

// Config is the configuration from the flags and the environment, read once.
func (f *Factory) Config() (Config, error) {
	f.configOnce.Do(func() {
		f.config, f.configErr = f.Flags.config(f.IO.ReadSecret)
	})
	return f.config, f.configErr
}

// Client is a client with the configured token; without one it is a usage error.
func (f *Factory) Client() (*client.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, UsageErrorf("no token: set %s (the admin token, or an API key with a management scope), or pipe it in with --token-stdin", EnvToken)
	}
	if f.client == nil {
		if f.client, err = f.newClient(cfg); err != nil {
			return nil, err
		}
	}
	return f.client, nil
}

// AnonymousClient is a client that needs no token, for POST /v1/verify.
func (f *Factory) AnonymousClient() (*client.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	cfg.Token = ""
	return f.newClient(cfg)
}

func (f *Factory) newClient(cfg Config) (*client.Client, error) {
	cc := client.Config{
		Endpoint:  cfg.Endpoint,
		Token:     cfg.Token,
		OTP:       cfg.OTP,
		UserAgent: "keyservice-cli/" + f.Version,
	}
	if f.Flags.Debug {
		cc.Logger = newDebugLogger(f.IO.ErrOut, cfg.Token, cfg.OTP)
	}
	c, err := client.New(cc)
	if err != nil {
		return nil, AsUsageError(err)
	}
	return c, nil
}

// Resolver finds keys, service accounts, environments and projects by name or id, names in the
// configured project.
func (f *Factory) Resolver() (*resolve.Resolver, error) {
	c, err := f.Client()
	if err != nil {
		return nil, err
	}
	if f.resolver == nil {
		f.resolver = resolve.New(c, f.config.Project)
	}
	return f.resolver, nil
}

// Printer prints in the --format asked for; --quiet with json or yaml is a usage error.
func (f *Factory) Printer() (*output.Printer, error) {
	format, err := output.ParseFormat(f.Flags.Format)
	if err != nil {
		return nil, AsUsageError(err)
	}
	if f.Flags.Quiet && format != output.FormatTable {
		return nil, UsageErrorf("--quiet prints only ids: it does not combine with --format %s", format)
	}
	return &output.Printer{Out: f.IO.Out, Format: format, Quiet: f.Flags.Quiet}, nil
}
