package acctest

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// ProviderFactories runs the provider in-process for terraform-plugin-testing, with the
// server's clock so that tests which move time move it for both, and any further options.
func (s *Server) ProviderFactories(opts ...provider.Option) map[string]func() (tfprotov6.ProviderServer, error) {
	opts = append([]provider.Option{provider.WithClock(s.Clock.Now)}, opts...)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"keyservice": providerserver.NewProtocol6WithError(provider.New("test", opts...)()),
	}
}
