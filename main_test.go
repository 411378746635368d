package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	prior := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prior) })

	t.Setenv("GOMEMLIMIT", "")
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != processMemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, processMemoryLimit)
	}

	debug.SetMemoryLimit(prior)
	t.Setenv("GOMEMLIMIT", "1GiB")
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != prior {
		t.Errorf("with GOMEMLIMIT set the limit became %d, want it left at %d", got, prior)
	}
}

func TestGCPercent(t *testing.T) {
	prior := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prior) })
	t.Setenv("GOMEMLIMIT", "1GiB") // leave the memory limit alone

	t.Setenv("GOGC", "")
	limitMemory()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent = %d, want %d", got, gcPercent)
	}
	t.Setenv("GOGC", "50")
	limitMemory()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the GC percent became %d, want it left at 100", got)
	}
}

// TestQuietFrameworkLogs: the framework's and the protocol server's logs are off unless a log
// was asked for, in which case their levels are left to the environment.
func TestQuietFrameworkLogs(t *testing.T) {
	cases := map[string]struct {
		set             map[string]string
		want, wantProto string
	}{
		"nothing asked":               {nil, "OFF", "OFF"},
		"TF_LOG":                      {map[string]string{"TF_LOG": "TRACE"}, "", ""},
		"TF_LOG_PROVIDER":             {map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, "", ""},
		"TF_LOG_SDK":                  {map[string]string{"TF_LOG_SDK": "TRACE"}, "", ""},
		"TF_LOG_SDK_FRAMEWORK":        {map[string]string{"TF_LOG_SDK_FRAMEWORK": "DEBUG"}, "DEBUG", ""},
		"TF_LOG_SDK_PROTO":            {map[string]string{"TF_LOG_SDK_PROTO": "TRACE"}, "", "TRACE"},
		"TF_LOG_PATH alone asks none": {map[string]string{"TF_LOG_PATH": "/tmp/tf.log"}, "OFF", "OFF"},
		"TF_LOG_CORE alone asks none": {map[string]string{"TF_LOG_CORE": "TRACE"}, "OFF", "OFF"},
		"TF_LOG_PROVIDER and TF_LOG=": {map[string]string{"TF_LOG_PROVIDER": "TRACE", "TF_LOG": ""}, "", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, v := range append(logRequests, "TF_LOG_PATH", "TF_LOG_CORE") {
				t.Setenv(v, tc.set[v]) // registers the restore
				if _, ok := tc.set[v]; !ok {
					os.Unsetenv(v)
				}
			}
			quietFrameworkLogs()
			if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != tc.want {
				t.Errorf("TF_LOG_SDK_FRAMEWORK = %q, want %q", got, tc.want)
			}
			if got := os.Getenv("TF_LOG_SDK_PROTO"); got != tc.wantProto {
				t.Errorf("TF_LOG_SDK_PROTO = %q, want %q", got, tc.wantProto)
			}
		})
	}
}
