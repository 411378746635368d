package keyservice

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

const testAdminToken = "test-admin-token-0123456789"

var testSecret = []byte("0123456789abcdef0123456789abcdef-test-secret")

// testClock is the injected clock; tests move it to cross expiry and grace.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testEnv struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	clock  *testClock
	dbPath string
	logs   *syncBuffer
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "keyservice.db")
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	clock := &testClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv, err := NewServer(Config{
		Store:        st,
		AdminToken:   testAdminToken,
		ServerSecret: testSecret,
		Logger:       slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          clock.Now,
	})
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

type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.raw)
	}
	return m
}

func (r response) str(t *testing.T, field string) string {
	t.Helper()
	v, ok := r.json(t)[field].(string)
	if !ok {
		t.Fatalf("field %q is not a string in %s", field, r.raw)
	}
	return v
}

// errorField returns error.code and error.field of an error response.
func (r response) errorCodeField(t *testing.T) (string, string) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.raw)
	}
	code, _ := e["code"].(string)
	field, _ := e["field"].(string)
	return code, field
}

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// do sends a request as token ("" for none). body may be nil, a string (sent
// raw) or any value (sent as JSON).
func (e *testEnv) do(method, path, token string, body any, opts ...reqOpt) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, o := range opts {
		o(req)
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, raw: raw}
}

func (e *testEnv) admin(method, path string, body any, opts ...reqOpt) response {
	e.t.Helper()
	return e.do(method, path, testAdminToken, body, opts...)
}

func expectStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.raw)
	}
}

func (e *testEnv) createProject(name string) string {
	e.t.Helper()
	r := e.admin("POST", "/v1/projects", map[string]any{"name": name})
	expectStatus(e.t, r, http.StatusCreated)
	return r.str(e.t, "id")
}

func (e *testEnv) createServiceAccount(projectID, name string) string {
	e.t.Helper()
	r := e.admin("POST", "/v1/service-accounts", map[string]any{"project_id": projectID, "name": name})
	expectStatus(e.t, r, http.StatusCreated)
	return r.str(e.t, "id")
}

func (e *testEnv) createEnvironment(projectID, name string) string {
	e.t.Helper()
	r := e.admin("POST", "/v1/environments", map[string]any{"project_id": projectID, "name": name})
	expectStatus(e.t, r, http.StatusCreated)
	return r.str(e.t, "id")
}

// createKey creates a key with the given extra fields; it returns the
// response object and the secret.
func (e *testEnv) createKey(projectID, name string, extra map[string]any) (map[string]any, string) {
	e.t.Helper()
	body := map[string]any{"project_id": projectID, "name": name}
	for k, v := range extra {
		body[k] = v
	}
	r := e.admin("POST", "/v1/api-keys", body)
	expectStatus(e.t, r, http.StatusCreated)
	m := r.json(e.t)
	return m, m["key"].(string)
}

func (e *testEnv) verify(secret string) response {
	e.t.Helper()
	return e.do("POST", "/v1/verify", "", map[string]any{"key": secret})
}
