// Command noopprovider is the floor of the scale benchmark (make bench): a provider on the same
// terraform-plugin-framework as terraform-provider-keyservice, with noop_api_key taking the very
// schema of keyservice_api_key, whose CRUD does no I/O. What Terraform and the plugin protocol
// cost per resource is what this provider costs; what keyservice_api_key costs above it is ours.
// .ci/bench builds it as terraform-provider-noop and wires it in with dev_overrides.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

func main() {
	err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{
		Address: "registry.terraform.io/hashicorp/noop",
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
