package main

import (
	"fmt"
	"slices"
	"time"
)

// Goals of issue 9.
const (
	goalScaleRatio    = 1.3              // keyservice_api_key / noop_api_key, per phase
	goalVerifyRatio   = 0.7              // verify / hello-world throughput
	goalVerifyHalfP99 = time.Millisecond // p99 of verify at half its maximum rate
	goalListRSS       = 150_000_000      // bytes: provider peak RSS over 10,000 keys
)

// median is the run with the median wall time, and the median CPU time of all runs.
func median(runs []phaseRun) phaseRun {
	walls, cpus := make([]time.Duration, len(runs)), make([]time.Duration, len(runs))
	for i, r := range runs {
		walls[i], cpus[i] = r.wall, r.cpu
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return phaseRun{wall: walls[len(walls)/2], cpu: cpus[len(cpus)/2]}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func printScale(cfg scaleConfig, version, store string, res scaleResult, reqs scaleRequests) {
	fmt.Printf("### Terraform scale: %d resources per kind\n\n", cfg.n)
	fmt.Printf("%s; keyserviced on %s; median of %d runs of each command. Wall time is the goal; CPU time "+
		"(Terraform and its provider processes, plus keyserviced) is what the machine spent, which other load on it disturbs far less.\n\n", version, store, cfg.reps)
	fmt.Println("| -parallelism | phase | terraform_data | noop_api_key (floor) | keyservice_api_key | **keyservice / noop** | goal ≤ 1.3 | CPU noop | CPU keyservice | CPU ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, p := range cfg.parallelism {
		for _, phase := range phases {
			td := median(res[p]["terraform_data"][phase])
			noop := median(res[p]["noop_api_key"][phase])
			ks := median(res[p]["keyservice_api_key"][phase])
			ratio := ks.wall.Seconds() / noop.wall.Seconds()
			fmt.Printf("| %d | %s | %.2f s | %.2f s | %.2f s | **%.2f** | %s | %.2f s | %.2f s | %.2f |\n", p, phase,
				td.wall.Seconds(), noop.wall.Seconds(), ks.wall.Seconds(), ratio, met(ratio <= goalScaleRatio),
				noop.cpu.Seconds(), ks.cpu.Seconds(), ks.cpu.Seconds()/noop.cpu.Seconds())
		}
	}
	fmt.Println()
	fmt.Println("Requests keyserviced answered per keyservice_api_key command (last run):")
	fmt.Println()
	for _, p := range cfg.parallelism {
		for _, phase := range phases {
			fmt.Printf("- -parallelism=%d %s: %s\n", p, phase, formatRequests(reqs[p][phase]))
		}
	}
	fmt.Println()
	fmt.Println("All runs, wall seconds (CPU seconds):")
	fmt.Println()
	for _, p := range cfg.parallelism {
		for _, k := range kinds {
			fmt.Printf("- -parallelism=%d %s:", p, k.name)
			for _, phase := range phases {
				fmt.Printf(" %s", phase)
				for _, r := range res[p][k.name][phase] {
					fmt.Printf(" %.2f (%.2f)", r.wall.Seconds(), r.cpu.Seconds())
				}
				fmt.Print(";")
			}
			fmt.Println()
		}
	}
	fmt.Println()
}

func printStore(store string, o options, created createResult, c verifyComparison) {
	fmt.Printf("### %s: create and verify throughput\n\n", store)
	fmt.Printf("Create: %d keys through the Go client from %d goroutines: **%.0f creates/s**, p50 %s, p99 %s.\n\n",
		created.load.requests, o.workers, created.load.rate(), ms(created.load.percentile(0.5)), ms(created.load.percentile(0.99)))
	fmt.Printf("Verify: %d workers on keep-alive connections, %s per run; maximum = closed loop, half = open loop at half that "+
		"target's maximum (latency from each request's scheduled time); each request presents one of %d keys.\n\n",
		o.workers, o.duration, min(o.verifyKeys, len(created.keys)))
	fmt.Println("| target | max req/s | p50 at max | p99 at max | half-load req/s | p50 at half | p99 at half | CPU per request at max: server | load generator |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	row := func(name string, peak, half loadResult) {
		fmt.Printf("| %s | %.0f | %s | %s | %.0f | %s | %s | %s | %s |\n", name, peak.rate(), ms(peak.percentile(0.5)), ms(peak.percentile(0.99)),
			half.rate(), ms(half.percentile(0.5)), ms(half.percentile(0.99)), us(peak.perRequest(peak.serverCPU)), us(peak.perRequest(peak.clientCPU)))
	}
	row("GET /healthz (hello world, same stack)", c.helloMax, c.helloHalf)
	row("POST /v1/verify", c.verifyMax, c.verifyHalf)
	ratio := c.verifyMax.rate() / c.helloMax.rate()
	p99 := c.verifyHalf.percentile(0.99)
	fmt.Println()
	fmt.Printf("- verify / hello-world throughput: **%.2f** (goal ≥ %.1f: %s)\n", ratio, goalVerifyRatio, met(ratio >= goalVerifyRatio))
	fmt.Printf("- verify p99 at half load: **%s** (goal ≤ 1 ms: %s)\n\n", ms(p99), met(p99 <= goalVerifyHalfP99))
}

func printMemory(store string, m memoryResult) {
	mb := float64(m.peakBytes) / 1e6
	fmt.Printf("### Memory: keyservice_api_keys over %d keys\n\n", m.keys)
	fmt.Printf("`terraform plan` reading every page (keyserviced on %s) took %.2f s; the provider's peak RSS (VmHWM, highest of the %d provider processes Terraform started): **%.1f MB** (goal < 150 MB: %s).\n\n",
		store, m.wall.Seconds(), m.processes, mb, met(m.peakBytes < goalListRSS))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func us(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}
