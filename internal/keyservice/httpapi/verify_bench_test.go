package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/httpapi"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// The verify path through the whole handler chain, on SQLite: go test -bench Verify -benchmem.
// make bench runs these and the domain's steps (internal/keyservice); BENCHMARKS.md has the
// figures.

// benchVerifyKeys is how many keys the benchmarks present, round robin: enough that the
// lookups do not all hit one page.
const benchVerifyKeys = 1000

// newBenchServer is a server on a fresh SQLite file holding n keys; it returns their secrets.
// Requests are not logged: the load test of make bench measures the server with its log.
func newBenchServer(b *testing.B, n int) (*httpapi.Server, []string) {
	b.Helper()
	srv := keyservicetest.New(b, keyservicetest.Options{LogLevel: slog.Level(1 << 20), API: noClientLimits}).API
	var project struct{ ID string }
	benchCall(b, srv, "POST", "/v1/projects", map[string]any{"name": "bench"}, &project)
	secrets := make([]string, n)
	for i := range secrets {
		var k struct{ Key string }
		benchCall(b, srv, "POST", "/v1/api-keys", map[string]any{"project_id": project.ID, "name": fmt.Sprintf("k%05d", i), "scopes": []string{"read"}}, &k)
		secrets[i] = k.Key
	}
	return srv, secrets
}

func benchCall(b *testing.B, srv *httpapi.Server, method, path string, in, out any) {
	b.Helper()
	body, _ := json.Marshal(in)
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVerifyHandler is POST /v1/verify through the whole handler chain (no network),
// serially and from GOMAXPROCS goroutines; BenchmarkVerifyHealthzHandler is the hello-world of
// the same chain.
func BenchmarkVerifyHandler(b *testing.B) {
	srv, secrets := newBenchServer(b, benchVerifyKeys)
	bodies := make([][]byte, len(secrets))
	for i, s := range secrets {
		bodies[i], _ = json.Marshal(map[string]string{"key": s})
	}
	h := srv.Handler()
	serve := func(i int) {
		req := httptest.NewRequest("POST", "/v1/verify", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("verify: %d %s", rec.Code, rec.Body)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			serve(i)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				serve(i)
				i += 7
			}
		})
	})
}

func BenchmarkVerifyHealthzHandler(b *testing.B) {
	srv, _ := newBenchServer(b, 0)
	h := srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("healthz: %d", rec.Code)
		}
	}
}
