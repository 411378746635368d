package acctest

import (
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// ProviderFactories runs the provider in-process for terraform-plugin-testing, as main serves
// it, with the server's clock so that tests which move time move it for both, and any further
// options.
func (s *Server) ProviderFactories(opts ...provider.Option) map[string]func() (tfprotov6.ProviderServer, error) {
	opts = append([]provider.Option{provider.WithClock(s.Clock.Now)}, opts...)
	server := provider.NewServer("test", opts...)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"keyservice": func() (tfprotov6.ProviderServer, error) { return server(), nil },
	}
}
