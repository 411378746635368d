package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// version is set by goreleaser through ldflags.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	provider.LimitMemory()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/hashicorp/keyservice",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
