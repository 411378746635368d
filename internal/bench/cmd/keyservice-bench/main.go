// Command keyservice-bench measures keyservice against its floors, in one run on one machine
// (make bench runs it through .ci/bench, which builds what it needs):
//
//   - scale: apply, plan (no change) and destroy of N keyservice_api_key against a real
//     keyserviced, beside N noop_api_key (the floor: same framework, same schema, no I/O) and N
//     terraform_data (context), at each -parallelism; the wall time of each and the ratio.
//   - store: create throughput; with wrk, a bare net/http hello world (the floor), GET /healthz
//     and POST /v1/verify at their maximum, verify beside a steady write load, all three paced
//     to half of verify's maximum; list pages; then the same with the store grown to -growth
//     keys; on the store -database names (PostgreSQL: -replicas servers, verify on one).
//   - memory: the provider's peak RSS while keyservice_api_keys reads every page of -keys keys.
//
// Results go to stdout as Markdown; progress goes to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

type options struct {
	keyserviced, providers, terraform, hellod, wrk string
	database                                       string
	parts                                          map[string]bool
	resources, reps                                int
	parallelism                                    []int
	keys, verifyKeys, workers, growth, replicas    int
	duration                                       time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "keyservice-bench:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	var (
		o                  options
		parts, parallelism string
	)
	fs := flag.NewFlagSet("keyservice-bench", flag.ContinueOnError)
	fs.StringVar(&o.keyserviced, "keyserviced", "bin/keyserviced", "keyserviced binary")
	fs.StringVar(&o.hellod, "hellod", "", "the bare hello-world server (internal/bench/hellod), the floor of the store benchmark")
	fs.StringVar(&o.wrk, "wrk", "wrk", "the wrk load generator")
	fs.StringVar(&o.providers, "providers", "", "directory holding terraform-provider-keyservice and terraform-provider-noop")
	fs.StringVar(&o.terraform, "terraform", "terraform", "Terraform CLI")
	fs.StringVar(&o.database, "database", "sqlite", `"sqlite" (a file in a temporary directory) or a postgres:// URL`)
	databaseEnv := fs.String("database-from-env", "", "take -database from this environment variable (.ci/postgres sets KEYSERVICE_TEST_POSTGRES_DSN)")
	fs.StringVar(&parts, "run", "scale,store,memory", "what to measure: scale, store, memory")
	fs.IntVar(&o.resources, "resources", 500, "resources per kind in the scale benchmark")
	fs.StringVar(&parallelism, "parallelism", "10,50", "Terraform -parallelism values, comma-separated")
	fs.IntVar(&o.reps, "reps", 3, "repetitions of each scale measurement (the median is reported)")
	fs.IntVar(&o.keys, "keys", 10000, "keys created through the API for the create throughput, the store and the memory measurement")
	fs.IntVar(&o.verifyKeys, "verify-keys", 1000, "how many of them the verify load test presents")
	fs.IntVar(&o.workers, "workers", 32, "concurrent requests of the create throughput")
	fs.IntVar(&o.growth, "growth", 1_000_000, "keys in the store for the growth measurements (0: none)")
	fs.IntVar(&o.replicas, "replicas", 3, "keyserviced replicas on a PostgreSQL database (verify is measured on one)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "duration of each load test run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *databaseEnv != "" {
		if o.database = os.Getenv(*databaseEnv); o.database == "" {
			return o, fmt.Errorf("-database-from-env: %s is not set", *databaseEnv)
		}
	}
	o.parts = map[string]bool{}
	for _, p := range strings.Split(parts, ",") {
		o.parts[strings.TrimSpace(p)] = true
	}
	for _, p := range strings.Split(parallelism, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-parallelism: %q is not a positive number", p)
		}
		o.parallelism = append(o.parallelism, n)
	}
	if (o.parts["scale"] || o.parts["memory"]) && o.providers == "" {
		return o, fmt.Errorf("-providers is required for scale and memory")
	}
	if o.parts["store"] && o.hellod == "" {
		return o, fmt.Errorf("-hellod is required for store")
	}
	return o, nil
}

func run(ctx context.Context, args []string) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "keyservice-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	storeName, database := "SQLite", o.database
	fresh := func(name string) string {
		if o.database == "sqlite" {
			return filepath.Join(dir, name+".db")
		}
		return o.database
	}
	if database != "sqlite" {
		storeName = "PostgreSQL"
	}
	if o.providers != "" {
		if err := writeCLIConfig(dir, o.providers); err != nil {
			return err
		}
	}
	runID := time.Now().Format("150405")

	if o.parts["store"] {
		t, err := measureThroughput(ctx, o, dir, fresh("store"))
		if err != nil {
			return err
		}
		printThroughput(o, t)
	}
	if !o.parts["scale"] && !o.parts["memory"] {
		return nil
	}
	creds, err := newServerCredentials()
	if err != nil {
		return err
	}
	ks, err := startKeyserviced(o.keyserviced, fresh("terraform"), dir, creds, false)
	if err != nil {
		return err
	}
	defer ks.Stop()
	if o.parts["scale"] {
		project, err := ks.Client.CreateProject(ctx, client.CreateProjectRequest{Name: "bench-scale-" + runID})
		if err != nil {
			return err
		}
		cfg := scaleConfig{terraform: o.terraform, providers: o.providers, n: o.resources, parallelism: o.parallelism, reps: o.reps, dir: dir}
		res, reqs, err := runScale(ctx, cfg, ks, project.ID)
		if err != nil {
			return err
		}
		printScale(cfg, cliVersion(o.terraform), storeName, res, reqs)
	}
	if o.parts["memory"] {
		project, err := ks.Client.CreateProject(ctx, client.CreateProjectRequest{Name: "bench-memory-" + runID})
		if err != nil {
			return err
		}
		if _, err := createKeys(ctx, ks, project.ID, "mem", o.keys, o.workers); err != nil {
			return err
		}
		log("plan reading keyservice_api_keys over %d keys", o.keys)
		mem, err := measureListMemory(ctx, o.terraform, o.providers, dir, ks, project.ID, o.keys)
		if err != nil {
			return err
		}
		printMemory(storeName, mem)
	}
	return nil
}

// writeCLIConfig takes both providers from dir through dev_overrides.
func writeCLIConfig(dir, providers string) error {
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"keyservice/keyservice\" = %[1]q\n    \"hashicorp/noop\" = %[1]q\n  }\n  direct {}\n}\n", providers)
	return os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o600)
}

func cliVersion(cli string) string {
	out, err := exec.Command(cli, "version").Output()
	if err != nil {
		return cli
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return first
}
