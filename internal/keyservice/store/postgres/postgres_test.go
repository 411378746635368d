package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres/postgrestest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/storetest"
)

func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, postgrestest.NewSchema(t))
	})
}

// Replicas starting together all migrate the same empty database: the
// advisory lock makes one apply each migration and the rest find it done.
func TestPostgresConcurrentMigrations(t *testing.T) {
	dsn := postgrestest.NewSchema(t)
	const replicas = 6
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent open: %v", err)
	}
	s := open(t, dsn)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProject(context.Background(), store.Project{ID: "prj_1", Name: "p"}, store.Changes{}); err != nil {
		t.Fatalf("store unusable after concurrent migrations: %v", err)
	}
}

func TestPostgresReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dsn := postgrestest.NewSchema(t)
	s := open(t, dsn)
	if err := s.CreateProject(ctx, store.Project{ID: "prj_1", Name: "p"}, store.Changes{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dsn)
	if _, err := s.GetProject(ctx, "prj_1"); err != nil {
		t.Fatal(err)
	}
}

func TestPostgresOpenRedactsDSN(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://u:s3cret@[::1/x")
	if err == nil {
		t.Fatal("bad DSN accepted")
	}
	if got := err.Error(); strings.Contains(got, "s3cret") {
		t.Fatalf("error leaks the password: %s", got)
	}
}
