package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// TestWriteGeneration: every write moves the generation the server's credential cache is
// keyed on, a failed one too; reads and last_used_at writes leave it.
func TestWriteGeneration(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	key := store.APIKey{ID: "key_1", ProjectID: "prj_1", Name: "k", KeyPrefix: "ks_1", KeyHash: "hash-1",
		HashVersion: store.HashVersionHMACSHA256, Scopes: []string{}, Active: true, CreatedAt: at, UpdatedAt: at}

	moves := func(what string, write func() error, wantErr bool) {
		t.Helper()
		before := s.WriteGeneration()
		if err := write(); (err != nil) != wantErr {
			t.Fatalf("%s: error %v, want error %v", what, err, wantErr)
		}
		if s.WriteGeneration() == before {
			t.Errorf("%s left the write generation at %d", what, before)
		}
	}
	moves("CreateProject", func() error {
		return s.CreateProject(ctx, store.Project{ID: "prj_1", Name: "p", CreatedAt: at, UpdatedAt: at}, store.Changes{})
	}, false)
	moves("CreateAPIKey", func() error { return s.CreateAPIKey(ctx, key, store.Changes{}) }, false)
	moves("UpdateAPIKey", func() error { k := key; k.Active = false; return s.UpdateAPIKey(ctx, k, store.Changes{}) }, false)
	moves("a failed RevokeAPIKeys", func() error { return s.RevokeAPIKeys(ctx, []string{"key_none"}, at, store.Changes{}) }, true)
	moves("RevokeAPIKeys", func() error { return s.RevokeAPIKeys(ctx, []string{"key_1"}, at, store.Changes{}) }, false)
	moves("DeleteProject", func() error { return s.DeleteProject(ctx, "prj_1", at, store.Changes{}) }, false)

	before := s.WriteGeneration()
	if _, err := s.GetCredential(ctx, "hash-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchAPIKeys(ctx, []store.KeyUse{{ID: "key_1", At: at}}); err != nil {
		t.Fatal(err)
	}
	if got := s.WriteGeneration(); got != before {
		t.Errorf("a read and a last_used_at write moved the generation from %d to %d", before, got)
	}
}
