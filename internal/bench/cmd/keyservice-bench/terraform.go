package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A resource kind the scale benchmark manages N of.
type kind struct {
	name   string
	config func(n int, projectID string) string
	// env is added to Terraform's environment, which its provider processes inherit.
	env []string
}

var kinds = []kind{
	{"terraform_data", func(n int, _ string) string {
		return fmt.Sprintf(`
resource "terraform_data" "k" {
  count = %d
  input = { name = "bench-${count.index}", description = "benchmark key ${count.index}", scopes = ["read"] }
}
`, n)
	}, nil},
	{"noop_minimal_key", func(n int, projectID string) string { return apiKeyConfig("noop", "minimal_key", n, projectID) }, nil},
	{"noop_api_key", func(n int, projectID string) string { return apiKeyConfig("noop", "api_key", n, projectID) }, nil},
	{"keyservice_api_key", func(n int, projectID string) string { return apiKeyConfig("keyservice", "api_key", n, projectID) }, nil},
}

// namespaces are the providers' registry namespaces, as writeCLIConfig overrides them.
var namespaces = map[string]string{"keyservice": "keyservice", "noop": "hashicorp"}

// apiKeyConfig is the same configuration for keyservice_api_key and its no-op twins.
func apiKeyConfig(provider, resource string, n int, projectID string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    %[1]s = { source = "%[5]s/%[1]s" }
  }
}

provider "%[1]s" {}

resource "%[1]s_%[4]s" "k" {
  count       = %[2]d
  project_id  = %[3]q
  name        = "bench-${count.index}"
  description = "benchmark key ${count.index}"
  scopes      = ["read"]
}
`, provider, n, projectID, resource, namespaces[provider])
}

var phases = []string{"apply", "plan", "destroy"}

// phaseRun is one CLI command: its wall time, and the CPU time it took from the machine:
// Terraform's and its provider processes' (user + system), plus keyserviced's meanwhile. Wall
// time is the goal; CPU time, which the machine's other load disturbs far less, says where it
// went.
type phaseRun struct {
	wall, cpu time.Duration
}

// scaleResult holds [parallelism][kind][phase] → one run per repetition.
type scaleResult map[int]map[string]map[string][]phaseRun

// scaleRequests holds what keyserviced answered per phase, from the last repetition.
type scaleRequests map[int]map[string]map[string]uint64

type scaleConfig struct {
	terraform   string
	providers   string // holds terraform-provider-keyservice and terraform-provider-noop
	n           int
	parallelism []int
	reps        int
	dir         string
}

// runScale applies, plans and destroys cfg.n resources of each kind, kinds interleaved within
// each repetition so that a change in the machine's load hits them alike.
func runScale(ctx context.Context, cfg scaleConfig, ks *keyserviced, projectID string) (scaleResult, scaleRequests, error) {
	rc := filepath.Join(cfg.dir, "terraformrc") // written by writeCLIConfig
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"KEYSERVICE_ENDPOINT="+ks.URL, "KEYSERVICE_TOKEN="+ks.Token)

	res, reqs := scaleResult{}, scaleRequests{}
	for _, p := range cfg.parallelism {
		res[p], reqs[p] = map[string]map[string][]phaseRun{}, map[string]map[string]uint64{}
		for rep := range cfg.reps {
			for ki, k := range kinds {
				dir := filepath.Join(cfg.dir, fmt.Sprintf("kind%d-p%d-r%d", ki, p, rep))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return nil, nil, err
				}
				if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(k.config(cfg.n, projectID)), 0o600); err != nil {
					return nil, nil, err
				}
				if res[p][k.name] == nil {
					res[p][k.name] = map[string][]phaseRun{}
				}
				for _, phase := range phases {
					before, err := ks.requests(ctx)
					if err != nil {
						return nil, nil, err
					}
					serverCPU := ks.cpu()
					run, err := runPhase(ctx, cfg.terraform, dir, append(env, k.env...), phase, p)
					run.cpu += ks.cpu() - serverCPU
					if err != nil {
						return nil, nil, fmt.Errorf("%s, -parallelism=%d, %s: %w", k.name, p, phase, err)
					}
					after, err := ks.requests(ctx)
					if err != nil {
						return nil, nil, err
					}
					res[p][k.name][phase] = append(res[p][k.name][phase], run)
					if k.name == "keyservice_api_key" {
						reqs[p][phase] = requestDelta(before, after)
					}
					fmt.Fprintf(os.Stderr, "bench: %-18s -parallelism=%-3d rep %d %-8s %6.2fs wall %6.2fs CPU\n", k.name, p, rep+1, phase, run.wall.Seconds(), run.cpu.Seconds())
				}
			}
		}
	}
	return res, reqs, nil
}

// runPhase runs one CLI command and returns its wall and CPU time. A plan must find nothing to
// do.
func runPhase(ctx context.Context, terraform, dir string, env []string, phase string, parallelism int) (phaseRun, error) {
	args := []string{phase, "-no-color", "-input=false", "-parallelism=" + strconv.Itoa(parallelism)}
	if phase == "plan" {
		args = append(args, "-detailed-exitcode")
	} else {
		args = append(args, "-auto-approve")
	}
	cmd := exec.CommandContext(ctx, terraform, args...)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	run := phaseRun{wall: time.Since(start)}
	if err != nil {
		var exit *exec.ExitError
		if phase == "plan" && errors.As(err, &exit) && exit.ExitCode() == 2 {
			return run, fmt.Errorf("the plan after apply is not empty:\n%s", tail(out))
		}
		return run, fmt.Errorf("%v:\n%s", err, tail(out))
	}
	// The rusage of a reaped process includes the children it reaped: the provider plugins.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return run, nil
}

// requestDelta leaves out the scrapes of /metrics themselves.
func requestDelta(before, after map[string]uint64) map[string]uint64 {
	out := map[string]uint64{}
	for k, n := range after {
		if d := n - before[k]; d > 0 && !strings.Contains(k, " /metrics ") {
			out[k] = d
		}
	}
	return out
}

func formatRequests(m map[string]uint64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func tail(out []byte) string {
	const maxLen = 4000
	if len(out) > maxLen {
		out = out[len(out)-maxLen:]
	}
	return string(out)
}
