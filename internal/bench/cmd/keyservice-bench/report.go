package main

import (
	"fmt"
	"slices"
	"time"
)

// Goals of issues 9 and 19.
const (
	goalScaleRatio     = 0.7         // keyservice_api_key / noop_api_key (the framework's floor), per phase
	goalHealthzRatio   = 0.9         // GET /healthz / bare hello world, throughput
	goalVerifySQLite   = 0.8         // verify / bare hello world, SQLite
	goalVerifyPostgres = 0.7         // verify on one of three replicas / bare hello world
	goalHalfP99Ratio   = 1.1         // verify p99 / bare p99, both paced to half of verify's maximum
	goalGrowthVerify   = 0.9         // verify at the grown size / at the API-created size
	goalListRSS        = 150_000_000 // bytes: provider peak RSS over 10,000 keys
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
	fmt.Println("| -parallelism | phase | terraform_data | noop_minimal_key | noop_api_key (floor) | keyservice_api_key | **keyservice / noop** | goal ≤ 0.7 | keyservice / minimal | noop / minimal | CPU minimal | CPU noop | CPU keyservice | CPU keyservice / noop |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, p := range cfg.parallelism {
		for _, phase := range phases {
			td := median(res[p]["terraform_data"][phase])
			minimal := median(res[p]["noop_minimal_key"][phase])
			noop := median(res[p]["noop_api_key"][phase])
			ks := median(res[p]["keyservice_api_key"][phase])
			ratio := ks.wall.Seconds() / noop.wall.Seconds()
			fmt.Printf("| %d | %s | %.2f s | %.2f s | %.2f s | %.2f s | **%.2f** | %s | %.2f | %.2f | %.2f s | %.2f s | %.2f s | %.2f |\n", p, phase,
				td.wall.Seconds(), minimal.wall.Seconds(), noop.wall.Seconds(), ks.wall.Seconds(), ratio, met(ratio <= goalScaleRatio),
				ks.wall.Seconds()/minimal.wall.Seconds(), noop.wall.Seconds()/minimal.wall.Seconds(),
				minimal.cpu.Seconds(), noop.cpu.Seconds(), ks.cpu.Seconds(), ks.cpu.Seconds()/noop.cpu.Seconds())
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

func printThroughput(o options, t *throughput) {
	title := t.store
	if t.replicas > 1 {
		title = fmt.Sprintf("%s, %d replicas on one database", t.store, t.replicas)
	}
	fmt.Printf("### %s: verify against the floor, with wrk\n\n", title)
	pin := "the servers pinned to CPU 0 (taskset), wrk to CPU 1"
	if !pinning() {
		pin = "one CPU: nothing pinned"
	}
	fmt.Printf("wrk -t1 -c%d, the targets taking turns in runs of %s (%d rounds; each target's median run shown), %s; the floor is a bare net/http handler (internal/bench/hellod) answering "+
		"what /healthz answers; verify presents %d keys in turn", wrkConns, roundLength, max(1, int(o.duration/roundLength)), pin, min(o.verifyKeys, t.keys))
	if t.replicas > 1 {
		fmt.Printf(", to one of the %d replicas (the others serve nothing but their leases)", t.replicas)
	}
	fmt.Printf(". Create: %d keys through the Go client from %d goroutines: **%.0f creates/s**, p50 %s, p99 %s.\n\n",
		t.create.requests, o.workers, t.create.rate(), ms(t.create.percentile(0.5)), ms(t.create.percentile(0.99)))

	hello := t.peak["hello"]
	fmt.Println("| target | max req/s | / bare | p50 | p99 | at half load: req/s | p50 | p99 | p99 / bare p99 |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, row := range []struct{ label, peak, half string }{
		{"bare net/http hello world (floor)", "hello", "hello"},
		{"GET /healthz (the whole middleware chain)", "healthz", "healthz"},
		{"POST /v1/verify", "verify", "verify"},
		{fmt.Sprintf("POST /v1/verify, %d project updates/s beside it", writesPerSecond), "verify under writes", ""},
	} {
		p := t.peak[row.peak]
		fmt.Printf("| %s | %.0f | %.2f | %s | %s |", row.label, p.rate, p.rate/hello.rate, ms(p.p50), ms(p.p99))
		if h, ok := t.half[row.half]; ok && row.half != "" {
			fmt.Printf(" %.0f | %s | %s | %.2f |\n", h.rate, ms(h.p50), ms(h.p99), float64(h.p99)/float64(t.half["hello"].p99))
		} else {
			fmt.Println(" | | | |")
		}
	}
	fmt.Println()
	verifyGoal := goalVerifySQLite
	if t.replicas > 1 {
		verifyGoal = goalVerifyPostgres
	}
	healthz, verify, writes := t.peak["healthz"].rate/hello.rate, t.peak["verify"].rate/hello.rate, t.peak["verify under writes"].rate/hello.rate
	p99 := float64(t.half["verify"].p99) / float64(t.half["hello"].p99)
	fmt.Printf("- /healthz / bare: **%.2f** (goal ≥ %.1f: %s)\n", healthz, goalHealthzRatio, met(healthz >= goalHealthzRatio))
	fmt.Printf("- verify / bare: **%.2f** (goal ≥ %.1f: %s)\n", verify, verifyGoal, met(verify >= verifyGoal))
	fmt.Printf("- verify under %d writes/s (%d made) / bare: **%.2f**; / quiet verify: %.2f\n", writesPerSecond, t.writesDone, writes,
		t.peak["verify under writes"].rate/t.peak["verify"].rate)
	fmt.Printf("- verify p99 / bare p99 at half of verify's maximum (%d connections, %s pause after each answer): **%.2f** (goal ≤ %.1f: %s)\n",
		t.halfConns, t.halfDelay, p99, goalHalfP99Ratio, met(p99 <= goalHalfP99Ratio))
	fmt.Printf("- store size: %.0f bytes per key at %d keys\n\n", t.bytesPerKey, t.keys)

	if g := t.growth; g != nil {
		raw := g.verify.rate / t.peak["verify"].rate
		// Both against the floor measured beside them: the machine's load may have moved between.
		ratio := (g.verify.rate / g.hello.rate) / (t.peak["verify"].rate / hello.rate)
		fmt.Printf("Grown to %d keys (%d added straight through SQL in %s, internal/bench/seed; all in the same project):\n\n",
			g.keys, g.keys-t.keys, g.seedTime.Round(time.Second))
		fmt.Printf("- verify: %.0f req/s beside the floor's %.0f (/ bare %.2f); against the same at %d keys (/ bare %.2f): **%.2f** (goal ≥ %.1f: %s); raw rates %.2f\n",
			g.verify.rate, g.hello.rate, g.verify.rate/g.hello.rate, t.keys, t.peak["verify"].rate/hello.rate, ratio, goalGrowthVerify, met(ratio >= goalGrowthVerify), raw)
		fmt.Printf("- store size: %.0f bytes per key\n\n", g.bytesPerKey)
	}
	fmt.Printf("List pages (page_size=100, through the API, median of 15): the first page, and the fifth.\n\n")
	if t.growth != nil {
		fmt.Printf("| list | %d keys: first | fifth | %d keys: first | fifth | keys on the first page (small / grown) |\n", t.keys, t.growth.keys)
		fmt.Println("|---|---|---|---|---|---|")
	} else {
		fmt.Printf("| list | %d keys: first | fifth | keys on the first page |\n", t.keys)
		fmt.Println("|---|---|---|---|")
	}
	for _, q := range listQueries {
		l := t.lists[q.name]
		fmt.Printf("| %s | %s | %s |", q.name, ms(l.first), ms(l.deep))
		if t.growth != nil {
			g := t.growth.lists[q.name]
			fmt.Printf(" %s | %s | %d / %d |\n", ms(g.first), ms(g.deep), l.found, g.found)
		} else {
			fmt.Printf(" %d |\n", l.found)
		}
	}
	fmt.Println()
	if len(t.explain) > 0 {
		fmt.Printf("PostgreSQL's plans at %d keys (EXPLAIN ANALYZE of each list's first page):\n\n", t.growth.keys)
		for _, q := range listQueries {
			fmt.Printf("%s:\n\n```\n%s\n```\n\n", q.name, t.explain[q.name])
		}
	}
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
