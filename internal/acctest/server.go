// Package acctest is the shared harness of the acceptance tests: a real keyserviced started
// in-process on a temporary SQLite file per test, provider factories, and CLI discovery.
package acctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

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

	secret []byte
	http   *httptest.Server
	store  *sqlite.Store
	ks     *keyservice.Server

	logMu sync.Mutex
	log   bytes.Buffer
}

// NewServer starts keyserviced on a fresh SQLite file in t's temp dir and stops it at cleanup.
// It skips the test unless TF_ACC is set, as terraform-plugin-testing does.
func NewServer(t testing.TB) *Server {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it (make test does)")
	}
	s := &Server{
		AdminToken: "ksadmin-" + randomHex(t, 24),
		DBPath:     filepath.Join(t.TempDir(), "keyservice.db"),
		Clock:      &Clock{},
		secret:     make([]byte, 32),
	}
	if _, err := rand.Read(s.secret); err != nil {
		t.Fatal(err)
	}
	s.start(t, "127.0.0.1:0")
	t.Cleanup(s.stop(t))
	s.URL = s.http.URL
	var err error
	s.Client, err = client.New(client.Config{Endpoint: s.URL, Token: s.AdminToken, MaxRetries: new(1)})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return s
}

// Restart stops the server and starts it again on the same address and database file, as an
// operator restarting keyserviced would.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	addr := s.http.Listener.Addr().String()
	s.stop(t)()
	s.start(t, addr)
}

func (s *Server) start(t testing.TB, addr string) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), s.DBPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	srv, err := keyservice.NewServer(keyservice.Config{
		Store:        st,
		AdminToken:   s.AdminToken,
		ServerSecret: s.secret,
		Logger:       slog.New(slog.NewJSONHandler(lockedWriter{s}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          s.Clock.Now,
		// The rotation loop is off (RotationInterval 0): tests run passes with RotateDueKeys.
		Webhook: keyservice.WebhookConfig{Backoff: 10 * time.Millisecond},
	})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	s.http, s.store, s.ks = ts, st, srv
}

func (s *Server) stop(t testing.TB) func() {
	return func() {
		s.http.Close()
		// As keyserviced does at shutdown: write the batched last_used_at before the store closes.
		if err := s.ks.FlushUsage(context.Background()); err != nil {
			t.Errorf("flush key usage: %v", err)
		}
		if err := s.store.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	}
}

// RotateDueKeys runs one scheduled-rotation pass of the server now, at the test clock's time,
// and returns how many keys it rotated (and delivered to their webhooks); a pass that reports a
// failure fails the test.
func (s *Server) RotateDueKeys(t testing.TB) int {
	t.Helper()
	n, err := s.ks.RotateDueKeys(context.Background())
	if err != nil {
		t.Fatalf("scheduled rotation pass: %v", err)
	}
	return n
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
