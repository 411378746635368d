package main

import (
	"context"
	"fmt"
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
