package main

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// loadResult is what one bounded run measured.
type loadResult struct {
	requests  int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration // sorted
	// CPU time the server and the load generator itself spent on the run, to tell where the
	// machine's two cores went.
	serverCPU, clientCPU time.Duration
}

func (r loadResult) perRequest(d time.Duration) time.Duration {
	if r.requests == 0 {
		return 0
	}
	return d / time.Duration(r.requests)
}

func (r loadResult) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r loadResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies)-1) * p)
	return r.latencies[i]
}

func (r loadResult) String() string {
	s := fmt.Sprintf("%8.0f req/s  p50 %7s  p99 %7s  (%d requests, %d errors",
		r.rate(), r.percentile(0.50).Round(time.Microsecond), r.percentile(0.99).Round(time.Microsecond), r.requests, r.errors)
	if r.serverCPU > 0 {
		s += fmt.Sprintf("; CPU per request: server %s, load generator %s",
			r.perRequest(r.serverCPU).Round(time.Microsecond), r.perRequest(r.clientCPU).Round(time.Microsecond))
	}
	return s + ")"
}

// collect runs work on each worker and gathers what they recorded.
func collect(workers int, work func(w int, record func(time.Duration, error))) loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<14)
			errs := 0
			work(w, func(d time.Duration, err error) {
				if err != nil {
					errs++
					return
				}
				lat = append(lat, d)
			})
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests = len(res.latencies)
	slices.Sort(res.latencies)
	return res
}
