package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConnectionsAreReused holds the client to one connection per concurrent request: a second
// wave of as many requests as Terraform's -parallelism=50 runs at once opens no new connection.
func TestConnectionsAreReused(t *testing.T) {
	const concurrent = 50
	var (
		opened  atomic.Int64
		arrived sync.WaitGroup
	)
	arrived.Add(concurrent)
	first := make(chan struct{})
	var once sync.Once
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first != nil {
			// Hold the first wave until all of it has arrived, so that it needs concurrent
			// connections.
			arrived.Done()
			arrived.Wait()
			once.Do(func() { close(first) })
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"key_1","project_id":"prj_1","name":"k","scopes":[],"active":true,` +
			`"created_at":"2030-01-01T00:00:00Z","updated_at":"2030-01-01T00:00:00Z"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newTestClient(t, srv.URL)

	wave := func() {
		var wg sync.WaitGroup
		for range concurrent {
			wg.Go(func() {
				if _, err := c.GetAPIKey(context.Background(), "key_1"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	wave()
	<-first
	first = nil
	if n := opened.Load(); n != concurrent {
		t.Fatalf("the first wave opened %d connections, want %d", n, concurrent)
	}
	wave()
	wave()
	if n := opened.Load(); n != concurrent {
		t.Errorf("after two more waves %d connections were opened in all, want still %d: idle connections were closed", n, concurrent)
	}
}

func TestKeepAliveLeavesTheCallersTransport(t *testing.T) {
	base := &http.Transport{MaxIdleConnsPerHost: 2}
	got := keepAlive(base).(*http.Transport)
	if got == base || base.MaxIdleConnsPerHost != 2 || got.MaxIdleConnsPerHost != maxIdleConnsPerHost {
		t.Errorf("keepAlive changed the caller's transport or did not raise the copy's limit: base %d, copy %d",
			base.MaxIdleConnsPerHost, got.MaxIdleConnsPerHost)
	}
}
