package provider

import (
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	prior := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prior) })

	t.Setenv("GOMEMLIMIT", "")
	LimitMemory()
	if got := debug.SetMemoryLimit(-1); got != processMemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, processMemoryLimit)
	}

	debug.SetMemoryLimit(prior)
	t.Setenv("GOMEMLIMIT", "1GiB")
	LimitMemory()
	if got := debug.SetMemoryLimit(-1); got != prior {
		t.Errorf("with GOMEMLIMIT set the limit became %d, want it left at %d", got, prior)
	}
}
