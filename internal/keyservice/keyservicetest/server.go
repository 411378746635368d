// Package keyservicetest starts the real key service in-process for tests: store (SQLite in a
// temporary file unless given), domain, HTTP API and webhook transport wired as keyserviced
// wires them, on a loopback listener. It is the one test server builder: the HTTP API's tests,
// the client's, and the acceptance harness (internal/acctest) use it.
package keyservicetest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/httpapi"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/webhook"
)

// AdminToken and ServerSecret are the credentials of a server started without its own.
const AdminToken = "test-admin-token-0123456789"

// ServerSecret is the default server secret (a test value, never a real one).
var ServerSecret = []byte("0123456789abcdef0123456789abcdef-test-secret")

// Start is the start time of the clock a server gets when Options.Clock is nil.
var Start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// Options say how to start a server; the zero value is a fresh server at Start.
type Options struct {
	// Store is the store to serve; nil opens SQLite at DBPath. A given store is not closed.
	Store store.Store
	// DBPath is the SQLite file when Store is nil; "" is a fresh file in t.TempDir().
	DBPath string
	// WrapStore, when set, wraps the store the service uses (to count or fail calls).
	WrapStore func(store.Store) store.Store
	// Addr is the address to listen on; "" is 127.0.0.1:0.
	Addr string
	// Clock is the service's clock; nil is NewClock(Start).
	Clock *Clock
	// AdminToken and ServerSecret default to the package's.
	AdminToken   string
	ServerSecret []byte
	// LogLevel is the level of the JSON log collected in Logs; nil is debug.
	LogLevel slog.Leveler
	// Logs collects the log; nil is a new buffer. A restarted server may share its predecessor's.
	Logs *SyncBuffer
	// Service and API edit the configurations before the server is built.
	Service func(*keyservice.Config)
	API     func(*httpapi.Config)
	// WrapHandler, when set, wraps the API's handler (to watch what it answers).
	WrapHandler func(http.Handler) http.Handler
}

// Server is a key service running in-process.
type Server struct {
	URL        string
	AdminToken string
	DBPath     string // "" for a store given in Options
	Clock      *Clock
	Store      store.Store // the store the service uses (wrapped, if Options.WrapStore)
	Service    *keyservice.Service
	API        *httpapi.Server
	Logs       *SyncBuffer
	Metrics    *httpapi.Metrics

	http      *httptest.Server
	ownStore  store.Store // closed by Close; nil for a given store
	closeOnce sync.Once
	closeErr  error
}

// New starts a server and stops it when t ends.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := start(t, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop the key service: %v", err)
		}
	})
	return s
}

func start(t testing.TB, o Options) (*Server, error) {
	s := &Server{Clock: o.Clock, AdminToken: o.AdminToken, Logs: o.Logs}
	if s.Logs == nil {
		s.Logs = &SyncBuffer{}
	}
	if s.Clock == nil {
		s.Clock = NewClock(Start)
	}
	if s.AdminToken == "" {
		s.AdminToken = AdminToken
	}
	secret := o.ServerSecret
	if secret == nil {
		secret = ServerSecret
	}
	st := o.Store
	if st == nil {
		s.DBPath = o.DBPath
		if s.DBPath == "" {
			s.DBPath = filepath.Join(t.TempDir(), "keyservice.db")
		}
		own, err := sqlite.Open(context.Background(), s.DBPath)
		if err != nil {
			return nil, err
		}
		st, s.ownStore = own, own
	}
	if o.WrapStore != nil {
		st = o.WrapStore(st)
	}
	s.Store = st
	level := o.LogLevel
	if level == nil {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewJSONHandler(s.Logs, &slog.HandlerOptions{Level: level}))
	pool, _ := st.(store.Pool)
	s.Metrics = httpapi.NewMetrics(pool)

	cfg := keyservice.Config{
		Store: st, AdminToken: s.AdminToken, ServerSecret: secret, Logger: logger, Now: s.Clock.Now,
		// The rotation loop is off (RotationInterval 0): tests run passes with RotateDueKeys.
		Webhook:  keyservice.WebhookConfig{Transport: webhook.New(nil), Backoff: 10 * time.Millisecond},
		Observer: s.Metrics,
	}
	if o.Service != nil {
		o.Service(&cfg)
	}
	var err error
	if s.Service, err = keyservice.New(cfg); err != nil {
		return nil, errors.Join(err, s.closeStore())
	}
	apiCfg := httpapi.Config{Service: s.Service, Logger: logger, Metrics: s.Metrics}
	if o.API != nil {
		o.API(&apiCfg)
	}
	if s.API, err = httpapi.New(apiCfg); err != nil {
		return nil, errors.Join(err, s.closeStore())
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errors.Join(err, s.closeStore())
	}
	handler := s.API.Handler()
	if o.WrapHandler != nil {
		handler = o.WrapHandler(handler)
	}
	s.http = httptest.NewUnstartedServer(handler)
	s.http.Listener.Close()
	s.http.Listener = ln
	s.http.Start()
	s.URL = s.http.URL
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.http.Listener.Addr().String() }

// Close stops the server as keyserviced stops: the HTTP server, then the batched last_used_at
// written, then its own store closed. It runs once; later calls return the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.http.Close()
		if err := s.Service.FlushUsage(context.Background()); err != nil {
			s.closeErr = err
		}
		if err := s.closeStore(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

func (s *Server) closeStore() error {
	if s.ownStore == nil {
		return nil
	}
	return s.ownStore.Close()
}

// SyncBuffer collects what several goroutines write (a server's log, a CLI's output).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *SyncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *SyncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
