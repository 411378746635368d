package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// version is set by goreleaser through ldflags.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	provider.LimitMemory()

	// tf6server.Serve, not providerserver.Serve: the latter serves the framework's server as it
	// is, and provider.NewServer wraps it (see refresh_numbers.go).
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve("registry.terraform.io/keyservice/keyservice", provider.NewServer(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}
