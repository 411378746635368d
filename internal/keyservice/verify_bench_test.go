package keyservice

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// The verify path step by step, on SQLite: go test -bench Verify -benchmem. make bench runs
// these and the handler chain's (internal/keyservice/httpapi); BENCHMARKS.md has the figures.

// benchVerifyKeys is how many keys the benchmarks present, round robin: enough that the
// lookups do not all hit one page.
const benchVerifyKeys = 1000

// newBenchService is a service on a fresh SQLite file holding n keys; it returns their secrets.
func newBenchService(b *testing.B, n int) (*Service, []string) {
	b.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "keyservice.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := New(Config{Store: st, AdminToken: "bench-admin-token", ServerSecret: make([]byte, MinServerSecretLen)})
	if err != nil {
		b.Fatal(err)
	}
	ctx, admin := context.Background(), Principal{admin: true}
	p, err := svc.CreateProject(ctx, admin, CreateProjectInput{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	secrets := make([]string, n)
	for i := range secrets {
		k, err := svc.CreateAPIKey(ctx, admin, CreateAPIKeyInput{ProjectID: p.ID, Name: fmt.Sprintf("k%05d", i), Scopes: []string{"read"}})
		if err != nil {
			b.Fatal(err)
		}
		secrets[i] = k.Secret
	}
	return svc, secrets
}

func BenchmarkVerifyParseKey(b *testing.B) {
	_, secrets := newBenchService(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseKey(secrets[0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHashKey(b *testing.B) {
	svc, secrets := newBenchService(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		_ = svc.hasher.hash(secrets[0])
	}
}

// BenchmarkVerifyKey is the domain call: parse, hash, look up, check, record the use.
func BenchmarkVerifyKey(b *testing.B) {
	svc, secrets := newBenchService(b, benchVerifyKeys)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := svc.VerifyKey(ctx, secrets[i%len(secrets)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
