// Command keyservice is the command line for the people who run a key service: API keys,
// projects, service accounts and environments by name or id (see `keyservice --help`).
package main

import (
	"os"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/root"
)

// version is set by goreleaser's ldflags.
var version = "dev"

func main() {
	os.Exit(root.Main(version, iostreams.System(), os.Args[1:]))
}
