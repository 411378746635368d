package keyservice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// The verify path, step by step and whole, on SQLite: go test -bench Verify -benchmem.
// make bench runs these; BENCHMARKS.md has the figures.

// benchVerifyKeys is how many keys the benchmarks present, round robin: enough that the
// lookups do not all hit one page.
const benchVerifyKeys = 1000

// newBenchServer is a server on a fresh SQLite file holding n keys; it returns their secrets.
// Requests are not logged: the load test of make bench measures the server with its log.
func newBenchServer(b *testing.B, n int) (*Server, []string) {
	b.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "keyservice.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	srv, err := NewServer(Config{
		Store: st, AdminToken: testAdminToken, ServerSecret: testSecret,
		Logger: slog.New(slog.DiscardHandler), VerifyRateLimit: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
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

func benchCall(b *testing.B, srv *Server, method, path string, in, out any) {
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

func BenchmarkVerifyParseKey(b *testing.B) {
	_, secrets := newBenchServer(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseKey(secrets[0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHashKey(b *testing.B) {
	srv, secrets := newBenchServer(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		_ = srv.svc.hasher.hash(secrets[0])
	}
}

// BenchmarkVerifyKey is the domain call: parse, hash, look up, check, record the use.
func BenchmarkVerifyKey(b *testing.B) {
	srv, secrets := newBenchServer(b, benchVerifyKeys)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := srv.svc.verifyKey(ctx, secrets[i%len(secrets)]); err != nil {
			b.Fatal(err)
		}
		i++
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
