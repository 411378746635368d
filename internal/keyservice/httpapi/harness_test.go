package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/httpapi"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// The e2e tests drive the HTTP API of a real key service (keyservicetest: SQLite in a temp
// file, the domain, this API and the webhook transport, wired as keyserviced wires them).

const testAdminToken = keyservicetest.AdminToken

var testSecret = keyservicetest.ServerSecret

type testEnv struct {
	t      *testing.T
	srv    *keyservicetest.Server
	svc    *keyservice.Service
	api    *httpapi.Server
	store  store.Store
	clock  *keyservicetest.Clock
	dbPath string
	logs   *keyservicetest.SyncBuffer
	// limitClock is the clock of the per-client budgets: wall time that a test may advance.
	limitClock *keyservicetest.Clock

	waitsMu sync.Mutex
	waits   []time.Duration // webhook retry waits asked for: they return at once
}

func newTestEnv(t *testing.T) *testEnv { return newTestEnvWith(t, keyservicetest.Options{}) }

// newTestEnvWith starts a server with o. Webhook retries use the default backoff (1s,
// doubling) but do not wait: each wait is recorded (see webhookWaits) and returns at once.
func newTestEnvWith(t *testing.T, o keyservicetest.Options) *testEnv {
	t.Helper()
	e := &testEnv{t: t, limitClock: keyservicetest.WallClock()}
	editService, editAPI := o.Service, o.API
	o.Service = func(c *keyservice.Config) {
		c.Webhook.Backoff, c.Webhook.Wait = 0, e.recordWait
		if editService != nil {
			editService(c)
		}
	}
	o.API = func(c *httpapi.Config) {
		c.ClientLimits.Now = e.limitClock.Now
		if editAPI != nil {
			editAPI(c)
		}
	}
	e.srv = keyservicetest.New(t, o)
	e.svc, e.api, e.store, e.clock, e.dbPath, e.logs = e.srv.Service, e.srv.API, e.srv.Store, e.srv.Clock, e.srv.DBPath, e.srv.Logs
	return e
}

func (e *testEnv) recordWait(ctx context.Context, d time.Duration) error {
	e.waitsMu.Lock()
	defer e.waitsMu.Unlock()
	e.waits = append(e.waits, d)
	return ctx.Err()
}

// webhookWaits returns the waits between webhook attempts asked for so far.
func (e *testEnv) webhookWaits() []time.Duration {
	e.waitsMu.Lock()
	defer e.waitsMu.Unlock()
	return slices.Clone(e.waits)
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
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
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
	res, err := http.DefaultClient.Do(req)
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

// apiTime is how the API writes a time.
func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// One-time codes as an authenticator app computes them (keyservicetest.TOTPCode, written apart
// from the server's own).
var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

const (
	totpSecretBytes = 20
	totpStep        = 30 * time.Second
)

func totpCode(secret []byte, at time.Time) string { return keyservicetest.TOTPCode(secret, at) }

// freshOTP moves the server's clock on to the next time step and returns the header with the
// code of that step, as a person reading an authenticator app for each change would: a project
// accepts each code once.
func (e *testEnv) freshOTP(secret []byte) reqOpt {
	e.t.Helper()
	e.clock.Advance(totpStep)
	return withHeader("X-Keyservice-OTP", totpCode(secret, e.clock.Now()))
}

// snapshot is everything the API shows of the server's state, read with the admin token: every
// live project and, in each, every key (revoked and replaced ones too), service account and
// environment, without last_used_at (a key that authenticates a request is used). A refused
// request must leave it as it was.
func (e *testEnv) snapshot() string {
	e.t.Helper()
	var parts []any
	read := func(path string) map[string]any {
		r := e.admin("GET", path, nil)
		expectStatus(e.t, r, http.StatusOK)
		m := r.json(e.t)
		parts = append(parts, m)
		return m
	}
	for _, p := range read("/v1/projects?page_size=1000")["items"].([]any) {
		id := p.(map[string]any)["id"].(string)
		read("/v1/api-keys?include_revoked=true&page_size=1000&project_id=" + id)
		read("/v1/service-accounts?page_size=1000&project_id=" + id)
		read("/v1/environments?page_size=1000&project_id=" + id)
	}
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "last_used_at")
			for _, member := range v {
				strip(member)
			}
		case []any:
			for _, item := range v {
				strip(item)
			}
		}
	}
	strip(parts)
	out, err := json.MarshalIndent(parts, "", " ")
	if err != nil {
		e.t.Fatal(err)
	}
	return string(out)
}

// noClientLimits turns the per-client limits off, for tests that send many requests.
func noClientLimits(c *httpapi.Config) { c.ClientLimits.Disabled = true }

// databaseBytes returns the raw bytes of the SQLite database and its write-ahead log, to look
// for secrets stored in clear.
func (e *testEnv) databaseBytes() []byte {
	e.t.Helper()
	var raw []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.dbPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			e.t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	return raw
}
