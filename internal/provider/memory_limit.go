package provider

import (
	"os"
	"runtime/debug"
)

// processMemoryLimit is the provider process's soft heap limit. Go lets the heap grow to twice
// what it holds before collecting; a plan that reads thousands of keys at once
// (keyservice_api_keys over 10,000 keys holds about 60 MB while the framework converts them)
// would so take twice that. Near the limit the collector runs sooner instead; a heap that
// really needs more still gets it, at the price of more collection (which Go caps at half the
// CPU). Small plans never come near it.
const processMemoryLimit = 100 << 20

// LimitMemory sets processMemoryLimit for the plugin process, unless GOMEMLIMIT sets a limit
// of its own. main calls it; tests running the provider in-process do not.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(processMemoryLimit)
	}
}
