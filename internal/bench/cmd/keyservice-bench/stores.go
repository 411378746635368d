package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// createResult is the create throughput of one store.
type createResult struct {
	load loadResult
	keys []client.APIKey // with their secrets
}

// createKeys creates n keys in the project through the Go client (the provider's), from
// workers goroutines, and measures the rate.
func createKeys(ctx context.Context, ks *keyserviced, projectID, prefix string, n, workers int) (createResult, error) {
	var (
		mu   sync.Mutex
		keys = make([]client.APIKey, 0, n)
		next = make(chan int, n)
		errc = make(chan error, workers)
	)
	for i := range n {
		next <- i
	}
	close(next)
	res := collect(workers, func(_ int, record func(time.Duration, error)) {
		for i := range next {
			start := time.Now()
			k, err := ks.Client.CreateAPIKey(ctx, client.CreateAPIKeyRequest{
				ProjectID: projectID, Name: fmt.Sprintf("%s-%05d", prefix, i), Scopes: []string{"read", "deploy:write"},
			})
			record(time.Since(start), err)
			if err != nil {
				select {
				case errc <- err:
				default:
				}
				continue
			}
			mu.Lock()
			keys = append(keys, *k)
			mu.Unlock()
		}
	})
	select {
	case err := <-errc:
		return createResult{}, fmt.Errorf("create keys: %w", err)
	default:
	}
	return createResult{load: res, keys: keys}, nil
}

// verifyComparison is the verify load test of one store: each target at its maximum, then at
// half of that.
type verifyComparison struct {
	helloMax, verifyMax   loadResult
	helloHalf, verifyHalf loadResult
}

// compareVerify loads POST /v1/verify (a random key of keys each time) and GET /healthz, the
// hello-world of the same server: same process, listener, middleware chain and mux.
func compareVerify(ctx context.Context, ks *keyserviced, keys []client.APIKey, workers int, d time.Duration) (verifyComparison, error) {
	bodies := make([][]byte, len(keys))
	for i, k := range keys {
		bodies[i], _ = json.Marshal(map[string]string{"key": k.Key})
	}
	hello := target{"GET /healthz", func(ctx context.Context, hc *http.Client, _ int) error {
		return send(ctx, hc, http.MethodGet, ks.URL+"/healthz", nil, http.StatusOK)
	}}
	verify := target{"POST /v1/verify", func(ctx context.Context, hc *http.Client, i int) error {
		return send(ctx, hc, http.MethodPost, ks.URL+"/v1/verify", bodies[(i*7919)%len(bodies)], http.StatusOK)
	}}
	// A second of each first: connections, caches and the Go runtime settle.
	closedLoop(ctx, hello, workers, time.Second)
	closedLoop(ctx, verify, workers, time.Second)

	// measured runs load, noting the CPU time of both processes meanwhile.
	measured := func(label string, t target, load func() loadResult) loadResult {
		server, client := ks.cpu(), selfCPU()
		r := load()
		r.serverCPU, r.clientCPU = ks.cpu()-server, selfCPU()-client
		report(label, t, r)
		return r
	}
	var c verifyComparison
	c.helloMax = measured("  max   ", hello, func() loadResult { return closedLoop(ctx, hello, workers, d) })
	c.verifyMax = measured("  max   ", verify, func() loadResult { return closedLoop(ctx, verify, workers, d) })
	c.helloHalf = measured("  half  ", hello, func() loadResult { return openLoop(ctx, hello, c.helloMax.rate()/2, workers, d) })
	c.verifyHalf = measured("  half  ", verify, func() loadResult { return openLoop(ctx, verify, c.verifyMax.rate()/2, workers, d) })
	for _, r := range []loadResult{c.helloMax, c.verifyMax, c.helloHalf, c.verifyHalf} {
		if r.errors > 0 {
			return c, fmt.Errorf("the load test saw %d failed requests", r.errors)
		}
	}
	return c, nil
}

func report(label string, t target, r loadResult) {
	fmt.Fprintf(os.Stderr, "bench: %s %-16s %s\n", label, t.name, r)
}
