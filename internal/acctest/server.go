// Package acctest is the shared harness of the acceptance tests: a real keyserviced started
// in-process on a temporary SQLite file per test, provider factories, and CLI discovery.
package acctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// Server is a keyserviced running in-process for one test.
type Server struct {
	URL        string
	AdminToken string
	DBPath     string
	// Client talks to the server with the admin token, for out-of-band changes and checks.
	Client *client.Client
	Clock  *Clock

	logMu sync.Mutex
	log   bytes.Buffer
}

// NewServer starts keyserviced on a fresh SQLite file in t's temp dir and stops it at cleanup.
func NewServer(t testing.TB) *Server {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it (make test does)")
	}
	s := &Server{
		AdminToken: "ksadmin-" + randomHex(t, 24),
		DBPath:     filepath.Join(t.TempDir(), "keyservice.db"),
		Clock:      &Clock{},
	}
	st, err := sqlite.Open(context.Background(), s.DBPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	srv, err := keyservice.NewServer(keyservice.Config{
		Store:        st,
		AdminToken:   s.AdminToken,
		ServerSecret: secret,
		Logger:       slog.New(slog.NewJSONHandler(lockedWriter{s}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          s.Clock.Now,
	})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	s.URL = ts.URL
	s.Client, err = client.New(client.Config{Endpoint: ts.URL, Token: s.AdminToken, MaxRetries: 1})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return s
}

// ServerLog returns everything the server logged so far (debug level).
func (s *Server) ServerLog() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

type lockedWriter struct{ s *Server }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.logMu.Lock()
	defer w.s.logMu.Unlock()
	return w.s.log.Write(p)
}

// ProviderBlock is the HCL provider block that points the provider at this server.
func (s *Server) ProviderBlock() string {
	return fmt.Sprintf("provider \"keyservice\" {\n  endpoint = %q\n  token    = %q\n  max_retries = 2\n}\n", s.URL, s.AdminToken)
}

// CreateProject makes a project through the API and returns its ID.
func (s *Server) CreateProject(t testing.TB, name string) string {
	t.Helper()
	p, err := s.Client.CreateProject(context.Background(), client.CreateProjectRequest{Name: name})
	if err != nil {
		t.Fatalf("create project %q: %v", name, err)
	}
	return p.ID
}

// LiveKeys lists the live keys of a project through the API.
func (s *Server) LiveKeys(t testing.TB, projectID string) []client.APIKey {
	t.Helper()
	keys, err := s.Client.ListAllAPIKeys(context.Background(), client.ListAPIKeysOptions{ProjectID: projectID})
	if err != nil {
		t.Fatalf("list keys of %s: %v", projectID, err)
	}
	return keys
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
