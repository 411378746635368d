package acctest

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// ProviderFactories runs the provider in-process for terraform-plugin-testing, with the
// server's clock so that tests which move time move it for both.
func (s *Server) ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"keyservice": providerserver.NewProtocol6WithError(provider.New("test", provider.WithClock(s.Clock.Now))()),
	}
}
