package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// memoryResult is the provider's peak RSS while a plan reads keyservice_api_keys over every key
// of a project.
type memoryResult struct {
	keys      int
	peakBytes int64
	processes int
	wall      time.Duration
}

func measureListMemory(ctx context.Context, terraform, providers, dir string, ks *keyserviced, projectID string, keys int) (memoryResult, error) {
	ws := filepath.Join(dir, "memory")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return memoryResult{}, err
	}
	config := fmt.Sprintf(`
terraform {
  required_providers {
    keyservice = { source = "keyservice/keyservice" }
  }
}

provider "keyservice" {}

data "keyservice_api_keys" "all" {
  project_id = %q
}

output "keys" {
  value = length(data.keyservice_api_keys.all.keys)
}
`, projectID)
	if err := os.WriteFile(filepath.Join(ws, "main.tf"), []byte(config), 0o600); err != nil {
		return memoryResult{}, err
	}
	rc := filepath.Join(dir, "terraformrc")
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"KEYSERVICE_ENDPOINT="+ks.URL, "KEYSERVICE_TOKEN="+ks.Token)

	binary, err := filepath.EvalSymlinks(filepath.Join(providers, "terraform-provider-keyservice"))
	if err != nil {
		return memoryResult{}, err
	}
	watch := watchRSS(binary)
	cmd := exec.CommandContext(ctx, terraform, "plan", "-no-color", "-input=false")
	cmd.Dir, cmd.Env = ws, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	peak, procs := watch.Stop()
	if err != nil {
		return memoryResult{}, fmt.Errorf("plan over %d keys: %v\n%s", keys, err, tail(out))
	}
	want := fmt.Sprintf("keys = %d", keys)
	if !strings.Contains(string(out), want) {
		return memoryResult{}, fmt.Errorf("the plan does not say %q:\n%s", want, tail(out))
	}
	return memoryResult{keys: keys, peakBytes: peak, processes: procs, wall: wall}, nil
}
