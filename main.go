package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/keyservice/terraform-provider-keyservice/internal/provider"
)

// version is set by goreleaser through ldflags.
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	limitMemory()
	quietFrameworkLogs()

	// tf6server.Serve, not providerserver.Serve: the latter serves the framework's server as it
	// is, and provider.NewServer wraps it (see internal/provider/refresh_numbers.go).
	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve("registry.terraform.io/keyservice/keyservice", provider.NewServer(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}

// processMemoryLimit is the plugin process's soft heap limit. Go lets the heap grow to twice
// what it holds before collecting; a plan that reads thousands of keys at once
// (keyservice_api_keys over 10,000 keys holds about 60 MB while the framework converts them)
// would so take twice that: 183 MB of RSS, 119 MB with this limit. Near the limit the collector
// runs sooner instead; a heap that really needs more still gets it, at the price of more
// collection (which Go caps at half the CPU). Small plans never come near it.
const processMemoryLimit = 100 << 20

// gcPercent is the plugin process's GOGC. With the default (100) a plan collects every few
// megabytes: the framework's plan and state conversions allocate a great deal and keep little,
// and collection was a third of the provider's CPU in a 500-key plan (make bench, pprof). At
// 400 a small plan collects a quarter as often for a few tens of megabytes more; a large one
// meets processMemoryLimit first, as before.
const gcPercent = 400

// limitMemory sets processMemoryLimit, unless GOMEMLIMIT sets a limit of its own, and
// gcPercent, unless GOGC sets one.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(processMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// logRequests are the environment variables by which someone asks for the SDKs' logs:
// Terraform's own (TF_LOG, TF_LOG_PROVIDER) and the plugin SDKs' (TF_LOG_SDK, its framework
// subsystem's TF_LOG_SDK_FRAMEWORK and terraform-plugin-go's TF_LOG_SDK_PROTO).
var logRequests = []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// quietLogs are the SDK subsystems turned off when no log is asked for.
var quietLogs = []string{"TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// quietFrameworkLogs turns the SDKs' own logging off (TF_LOG_SDK_FRAMEWORK=OFF and
// TF_LOG_SDK_PROTO=OFF) unless someone asked for logs. Without a level the framework and
// terraform-plugin-go's protocol server log at TRACE, formatting every line of every call, and
// Terraform throws them all away unless a log was asked for: about 40% of the provider's CPU
// in a 500-key plan for the framework, 5% more for the protocol server. The provider's own log
// lines (tflog) are not affected.
func quietFrameworkLogs() {
	for _, name := range logRequests {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range quietLogs {
		os.Setenv(name, "OFF")
	}
}
