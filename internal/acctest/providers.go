package acctest

import (
	"fmt"
	"strings"

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

// RequiredProviders is a terraform block that names each provider by its source address,
// ProviderNamespace/name: a configuration that names none gets hashicorp/name, which is not the
// provider's. terraform-plugin-testing serves every in-process provider under ProviderNamespace,
// on the CLI's own registry host (TF_ACC_PROVIDER_HOST for OpenTofu).
func RequiredProviders(names ...string) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n")
	for _, name := range names {
		fmt.Fprintf(&b, "    %s = {\n      source = %q\n    }\n", name, ProviderNamespace+"/"+name)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// ProviderBlock is the HCL that names the provider by its address and points it at this server;
// others are further providers a test serves in-process (such as echo).
func (s *Server) ProviderBlock(others ...string) string {
	return RequiredProviders(append([]string{"keyservice"}, others...)...) +
		fmt.Sprintf("\nprovider \"keyservice\" {\n  endpoint    = %q\n  token       = %q\n  max_retries = 2\n}\n", s.URL, s.AdminToken)
}
