// Package acctest is the shared harness of the acceptance tests: a real keyserviced started
// in-process on a temporary SQLite file per test, provider factories, and CLI discovery.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// Clock is the test clock shared by the in-process server and the provider: real time plus an
// offset a test moves forward, so that age-based behaviour (expiry, rotation_days) can be tested.
type Clock = keyservicetest.Clock

// Server is a keyserviced running in-process for one test.
type Server struct {
	URL        string
	AdminToken string
	DBPath     string
	// Client talks to the server with the admin token, for out-of-band changes and checks.
	Client *client.Client
	Clock  *Clock

	opts    keyservicetest.Options
	ks      *keyservicetest.Server
	secrets *seenSecrets
}

// NewServer starts keyserviced on a fresh SQLite file in t's temp dir and stops it at cleanup.
// It skips the test unless TF_ACC is set, as terraform-plugin-testing does.
func NewServer(t testing.TB) *Server {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it (make test does)")
	}
	return StartServer(t)
}

// StartServer starts keyserviced in-process, as NewServer does, but without the TF_ACC gate:
// for the tests of programs that need the server and no Terraform CLI (the keyservice command
// line's scripts), which belong to the unit tests.
func StartServer(t testing.TB) *Server {
	t.Helper()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	s := &Server{secrets: &seenSecrets{secrets: map[string]string{}}}
	s.opts = keyservicetest.Options{
		AdminToken: "ksadmin-" + randomHex(t, 24), ServerSecret: secret, Clock: keyservicetest.WallClock(),
		Logs: &keyservicetest.SyncBuffer{}, WrapHandler: s.secrets.watch,
	}
	s.ks = keyservicetest.New(t, s.opts)
	s.checkEventsAtCleanup(t)
	s.URL, s.AdminToken, s.DBPath, s.Clock = s.ks.URL, s.ks.AdminToken, s.ks.DBPath, s.ks.Clock
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
	if err := s.ks.Close(); err != nil {
		t.Fatalf("stop keyserviced: %v", err)
	}
	o := s.opts
	o.Addr, o.DBPath, o.Clock = s.ks.Addr(), s.DBPath, s.Clock
	s.ks = keyservicetest.New(t, o)
	s.checkEventsAtCleanup(t)
}

// checkEventsAtCleanup searches the server's events for the secrets the test saw when the test
// ends. Registered after the server's own cleanup, it runs first, on the running server; the
// check of a server that was restarted since is left to its successor, on the same database.
func (s *Server) checkEventsAtCleanup(t testing.TB) {
	ks := s.ks
	t.Cleanup(func() {
		if ks == s.ks {
			s.secrets.checkEvents(t, ks.Store, s.AdminToken)
		}
	})
}

// RotateDueKeys runs one scheduled-rotation pass of the server now, at the test clock's time,
// and returns how many keys it rotated (and delivered to their webhooks); a pass that reports a
// failure fails the test.
func (s *Server) RotateDueKeys(t testing.TB) int {
	t.Helper()
	n, err := s.ks.Service.RotateDueKeys(context.Background())
	if err != nil {
		t.Fatalf("scheduled rotation pass: %v", err)
	}
	return n
}

// ServerLog returns everything the server logged so far (debug level), across restarts.
func (s *Server) ServerLog() string {
	return s.ks.Logs.String()
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

// CreateKey makes a key in the project through the API, with the admin token, and returns its
// secret: the credential a test hands to a workflow (a keys:read key for a drift job, say).
func (s *Server) CreateKey(t testing.TB, projectID, name string, scopes ...string) string {
	t.Helper()
	k, err := s.Client.CreateAPIKey(context.Background(), client.CreateAPIKeyRequest{ProjectID: projectID, Name: name, Scopes: scopes})
	if err != nil {
		t.Fatalf("create key %q: %v", name, err)
	}
	return k.Key
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
