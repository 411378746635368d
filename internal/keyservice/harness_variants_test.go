package keyservice

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// newTestEnvWith is newTestEnv with the log at level and the configuration edited by edit
// (which may wrap cfg.Store), when not nil.
func newTestEnvWith(t *testing.T, level slog.Level, edit func(cfg *Config)) *testEnv {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "keyservice.db")
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	clock := &testClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := Config{
		Store:        st,
		AdminToken:   testAdminToken,
		ServerSecret: testSecret,
		Logger:       slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})),
		Now:          clock.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		st.Close()
	})
	return &testEnv{t: t, srv: srv, ts: ts, clock: clock, dbPath: dbPath, logs: logs}
}

// countingStore counts the store reads a credential check may make.
type countingStore struct {
	store.Store
	mu    sync.Mutex
	calls []string
}

func (c *countingStore) note(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, name)
}

// take returns the calls since the last take.
func (c *countingStore) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

func (c *countingStore) GetCredential(ctx context.Context, keyHash string) (store.Credential, error) {
	c.note("GetCredential")
	return c.Store.GetCredential(ctx, keyHash)
}

func (c *countingStore) GetAPIKeyByHash(ctx context.Context, keyHash string) (store.APIKey, error) {
	c.note("GetAPIKeyByHash")
	return c.Store.GetAPIKeyByHash(ctx, keyHash)
}

func (c *countingStore) GetAPIKey(ctx context.Context, id string) (store.APIKey, error) {
	c.note("GetAPIKey")
	return c.Store.GetAPIKey(ctx, id)
}

func (c *countingStore) GetProject(ctx context.Context, id string) (store.Project, error) {
	c.note("GetProject")
	return c.Store.GetProject(ctx, id)
}

func (c *countingStore) GetServiceAccount(ctx context.Context, id string) (store.ServiceAccount, error) {
	c.note("GetServiceAccount")
	return c.Store.GetServiceAccount(ctx, id)
}
