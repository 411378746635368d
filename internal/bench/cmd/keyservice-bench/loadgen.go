package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A target is one kind of request the load generator sends: fn sends request i.
type target struct {
	name string
	fn   func(ctx context.Context, hc *http.Client, i int) error
}

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

// newLoadClient keeps one connection per worker alive for the whole run.
func newLoadClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			DisableCompression:  true,
		},
	}
}

// closedLoop finds the maximum throughput: workers send back to back for d.
func closedLoop(ctx context.Context, t target, workers int, d time.Duration) loadResult {
	hc := newLoadClient(workers)
	defer hc.CloseIdleConnections()
	var next atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return collect(workers, func(w int, record func(time.Duration, error)) {
		for ctx.Err() == nil {
			start := time.Now()
			err := t.fn(ctx, hc, int(next.Add(1)))
			if ctx.Err() != nil {
				return // cut off by the deadline: not a real answer
			}
			record(time.Since(start), err)
		}
	})
}

// openLoop sends at a fixed rate for d, whatever the answers take: worker w sends requests
// w, w+workers, … each at its scheduled time. A worker still busy with an earlier answer at that
// time sends late, and the latency runs from the scheduled time, so a slow answer that delays the
// next request counts against the server (no coordinated omission). A worker that slept until
// the scheduled time counts from when it woke: Go's timers fire up to a millisecond late (the
// poller waits in whole milliseconds), and that lateness is the load generator's own.
func openLoop(ctx context.Context, t target, rate float64, workers int, d time.Duration) loadResult {
	hc := newLoadClient(workers)
	defer hc.CloseIdleConnections()
	interval := time.Duration(float64(time.Second) / rate)
	total := int(rate * d.Seconds())
	start := time.Now().Add(50 * time.Millisecond)
	res := collect(workers, func(w int, record func(time.Duration, error)) {
		for i := w; i < total; i += workers {
			at := start.Add(time.Duration(i) * interval)
			from := at
			if wait := time.Until(at); wait > 0 {
				time.Sleep(wait)
				from = time.Now()
			}
			err := t.fn(ctx, hc, i)
			record(time.Since(from), err)
		}
	})
	res.elapsed = time.Since(start)
	return res
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

// selfCPU is the CPU time this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// send does one request and expects want.
func send(ctx context.Context, hc *http.Client, method, url string, body []byte, want int) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return nil
}
