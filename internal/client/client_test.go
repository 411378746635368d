package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "admin-secret-token"

// recordedRequest is what the fake server saw of one attempt.
type recordedRequest struct {
	at      time.Time
	method  string
	path    string
	query   string
	header  http.Header
	body    string
	attempt int
}

// fakeServer answers attempt n (1-based) with handlers[n-1], repeating the
// last handler when attempts run past the list.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recordedRequest
}

func newFakeServer(t *testing.T, handlers ...func(w http.ResponseWriter, r *http.Request)) *fakeServer {
	t.Helper()
	fs := &fakeServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fs.mu.Lock()
		n := len(fs.requests) + 1
		fs.requests = append(fs.requests, recordedRequest{
			at: time.Now(), method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery,
			header: r.Header.Clone(), body: string(body), attempt: n,
		})
		fs.mu.Unlock()
		handlers[min(n, len(handlers))-1](w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeServer) recorded() []recordedRequest {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recordedRequest(nil), fs.requests...)
}

func respond(status int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// dropConnection closes the TCP connection without any response.
func dropConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func newTestClient(t *testing.T, endpoint string, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Endpoint:       endpoint,
		Token:          testToken,
		MaxRetries:     new(3),
		RequestTimeout: 5 * time.Second,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
		UserAgent:      "client-test/1.0",
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

const createdKeyJSON = `{"id":"k1","project_id":"p1","name":"ci","key":"ks_secretAAAABBBBCCCC","key_prefix":"ks_secretAAA","scopes":["read"],"active":true,"created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}`

func TestCreateRetriedWithSameIdempotencyKey(t *testing.T) {
	tests := map[string]func(http.ResponseWriter, *http.Request){
		"503 with Retry-After":    respond(http.StatusServiceUnavailable, `{"error":{"code":"internal","message":"busy"}}`, "Retry-After", "0"),
		"503 without Retry-After": respond(http.StatusServiceUnavailable, ""),
		"dropped connection":      dropConnection,
	}
	for name, fault := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, fault, fault, respond(http.StatusCreated, createdKeyJSON))
			c := newTestClient(t, srv.URL)

			key, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{ProjectID: "p1", Name: "ci", Scopes: []string{"read"}})
			if err != nil {
				t.Fatalf("CreateAPIKey: %v", err)
			}
			if key.ID != "k1" || key.Key != "ks_secretAAAABBBBCCCC" {
				t.Errorf("got key %v", key)
			}
			reqs := srv.recorded()
			if len(reqs) != 3 {
				t.Fatalf("server saw %d attempts, want 3", len(reqs))
			}
			idem := reqs[0].header.Get("Idempotency-Key")
			if idem == "" {
				t.Fatal("first attempt carried no Idempotency-Key")
			}
			for _, r := range reqs {
				if got := r.header.Get("Idempotency-Key"); got != idem {
					t.Errorf("attempt %d Idempotency-Key = %q, want %q", r.attempt, got, idem)
				}
				if r.body != reqs[0].body {
					t.Errorf("attempt %d body %q differs from the first %q", r.attempt, r.body, reqs[0].body)
				}
			}
		})
	}
}

func TestIdempotencyKeyIsNewPerCall(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusCreated, createdKeyJSON))
	c := newTestClient(t, srv.URL)
	for range 2 {
		if _, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{ProjectID: "p1", Name: "ci"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.recorded()
	if a, b := reqs[0].header.Get("Idempotency-Key"), reqs[1].header.Get("Idempotency-Key"); a == b {
		t.Errorf("two calls shared Idempotency-Key %q", a)
	}
}

func TestRequestHeaders(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusCreated, createdKeyJSON), respond(http.StatusOK, createdKeyJSON), respond(http.StatusNoContent, ""))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.OTP = "123456" })
	ctx := t.Context()
	if _, err := c.CreateAPIKey(ctx, CreateAPIKeyRequest{ProjectID: "p1", Name: "ci"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAPIKey(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeAPIKey(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	reqs := srv.recorded()
	post, get, del := reqs[0].header, reqs[1].header, reqs[2].header
	for name, h := range map[string]http.Header{"POST": post, "GET": get, "DELETE": del} {
		if got := h.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("%s Authorization = %q", name, got)
		}
		if got := h.Get("Accept"); got != "application/json" {
			t.Errorf("%s Accept = %q", name, got)
		}
		if got := h.Get("User-Agent"); got != "client-test/1.0" {
			t.Errorf("%s User-Agent = %q", name, got)
		}
	}
	if post.Get("Content-Type") != "application/json" || get.Get("Content-Type") != "" {
		t.Errorf("Content-Type: POST %q, GET %q", post.Get("Content-Type"), get.Get("Content-Type"))
	}
	if post.Get("X-Keyservice-OTP") != "123456" || del.Get("X-Keyservice-OTP") != "123456" || get.Get("X-Keyservice-OTP") != "" {
		t.Errorf("OTP: POST %q, DELETE %q, GET %q", post.Get("X-Keyservice-OTP"), del.Get("X-Keyservice-OTP"), get.Get("X-Keyservice-OTP"))
	}
	if get.Get("Idempotency-Key") != "" || del.Get("Idempotency-Key") != "" {
		t.Error("only POST should carry an Idempotency-Key")
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	srv := newFakeServer(t,
		respond(http.StatusTooManyRequests, `{"error":{"code":"rate_limited","message":"slow down"}}`, "Retry-After", "1"),
		respond(http.StatusOK, createdKeyJSON))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RetryWaitMax = 5 * time.Second })

	if _, err := c.GetAPIKey(t.Context(), "k1"); err != nil {
		t.Fatalf("GetAPIKey: %v", err)
	}
	reqs := srv.recorded()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d attempts, want 2", len(reqs))
	}
	if gap := reqs[1].at.Sub(reqs[0].at); gap < 900*time.Millisecond {
		t.Errorf("retried %s after a 429 with Retry-After: 1, want about 1s", gap)
	}
}

func TestRetryPolicyByStatus(t *testing.T) {
	tests := []struct {
		status       int
		wantAttempts int
	}{
		{http.StatusNotImplemented, 1},
		{http.StatusBadRequest, 1},
		{http.StatusUnauthorized, 1},
		{http.StatusForbidden, 1},
		{http.StatusNotFound, 1},
		{http.StatusConflict, 1},
		{http.StatusUnprocessableEntity, 1},
		{http.StatusInternalServerError, 4},
		{http.StatusBadGateway, 4},
		{http.StatusServiceUnavailable, 4},
		{http.StatusGatewayTimeout, 4},
		{http.StatusTooManyRequests, 4},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := newFakeServer(t, respond(tt.status, `{"error":{"code":"x","message":"nope"}}`))
			c := newTestClient(t, srv.URL) // MaxRetries 3

			_, err := c.GetAPIKey(t.Context(), "k1")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Fatalf("err = %v, want *APIError with status %d", err, tt.status)
			}
			if got := len(srv.recorded()); got != tt.wantAttempts {
				t.Errorf("server saw %d attempts, want %d", got, tt.wantAttempts)
			}
		})
	}
}

func TestConnectionErrorsExhaustRetries(t *testing.T) {
	srv := newFakeServer(t, dropConnection)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = new(2) })
	_, err := c.CreateProject(t.Context(), CreateProjectRequest{Name: "p"})
	if err == nil {
		t.Fatal("want an error")
	}
	if got := len(srv.recorded()); got != 3 {
		t.Errorf("server saw %d attempts, want 3", got)
	}
	if !strings.Contains(err.Error(), "after 3 attempt(s)") {
		t.Errorf("error %q does not say how many attempts were made", err)
	}
}

func TestStalledServerTimesOutPerAttempt(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.RequestTimeout = 100 * time.Millisecond
		cfg.MaxRetries = new(2)
	})

	_, err := c.GetProject(t.Context(), "p1")
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if got := len(srv.recorded()); got != 3 {
		t.Errorf("server saw %d attempts, want 3 (each attempt times out on its own)", got)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var hits atomic.Int32
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		cancel()
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(10)
		cfg.RetryWaitMin = 50 * time.Millisecond
		cfg.RetryWaitMax = 100 * time.Millisecond
	})

	_, err := c.GetProject(ctx, "p1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server saw %d attempts after the cancel, want 1", got)
	}
}

func TestContextDeadlineDuringBackoff(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusInternalServerError, ""))
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = new(10)
		cfg.RetryWaitMin = time.Second
		cfg.RetryWaitMax = time.Second
	})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.GetProject(ctx, "p1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if got := len(srv.recorded()); got != 1 {
		t.Errorf("server saw %d attempts, want 1", got)
	}
}

func TestUndecodableSuccessResponse(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":   `<html>oops</html>`,
		"empty":      ``,
		"truncated":  `{"id":"k1","key":"ks_secretAAAABBBB`,
		"wrong type": `{"id":42}`,
		"trailing":   `{"id":"k1"} {"id":"k2"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, respond(http.StatusOK, body))
			c := newTestClient(t, srv.URL)
			_, err := c.GetAPIKey(t.Context(), "k1")
			if err == nil || !strings.Contains(err.Error(), "could not be decoded") {
				t.Fatalf("err = %v, want a decode error", err)
			}
			if strings.Contains(err.Error(), "ks_secret") {
				t.Errorf("decode error quotes the body: %v", err)
			}
		})
	}
}

func TestPathSegmentsAreEscaped(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusOK, createdKeyJSON))
	c := newTestClient(t, srv.URL+"/base/")
	if _, err := c.GetAPIKey(t.Context(), "a/b?c"); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.recorded()[0].path, "/base/v1/api-keys/a%2Fb%3Fc"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if _, err := c.GetAPIKey(t.Context(), ""); err == nil {
		t.Error("an empty id must be refused, not sent to the collection")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"empty endpoint":    {},
		"relative endpoint": {Endpoint: "127.0.0.1:8080"},
		"other scheme":      {Endpoint: "ftp://example.com"},
		"no host":           {Endpoint: "http://"},
		"negative retries":  {Endpoint: "http://x", MaxRetries: new(-1)},
		"negative timeout":  {Endpoint: "http://x", RequestTimeout: -time.Second},
		"max below min":     {Endpoint: "http://x", RetryWaitMin: time.Second, RetryWaitMax: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(name, "endpoint") && !strings.Contains(err.Error(), "endpoint") {
				t.Errorf("error %q does not name the endpoint", err)
			}
		})
	}

	c, err := New(Config{Endpoint: "https://keys.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.maxRetries != DefaultMaxRetries || c.http.HTTPClient.Timeout != DefaultRequestTimeout ||
		c.http.RetryWaitMin != defaultRetryWaitMin || c.http.RetryWaitMax != defaultRetryWaitMax || c.endpoint != "https://keys.example.com" {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestBaseHTTPClientTransportIsReused(t *testing.T) {
	var used atomic.Bool
	srv := newFakeServer(t, respond(http.StatusOK, `{"id":"p1"}`))
	base := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Store(true)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = base })
	if _, err := c.GetProject(t.Context(), "p1"); err != nil {
		t.Fatal(err)
	}
	if !used.Load() {
		t.Error("the base client's Transport was not used")
	}
	if base.Timeout != 0 {
		t.Error("New modified the caller's http.Client")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestMaxRetriesSaysWhatItMeans: nil retries DefaultMaxRetries times, a pointer to n n times,
// and a pointer to 0 makes exactly one attempt (it once meant "the default").
func TestMaxRetriesSaysWhatItMeans(t *testing.T) {
	for name, tc := range map[string]struct {
		maxRetries   *int
		wantAttempts int32
	}{
		"nil is the default": {nil, 1 + DefaultMaxRetries},
		"zero is none":       {new(0), 1},
		"two":                {new(2), 3},
	} {
		t.Run(name, func(t *testing.T) {
			var attempts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				attempts.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = tc.maxRetries })
			if _, err := c.GetProject(context.Background(), "prj_x"); err == nil {
				t.Fatal("want an error from a 503")
			}
			if n := attempts.Load(); n != tc.wantAttempts {
				t.Fatalf("%d attempts, want %d", n, tc.wantAttempts)
			}
		})
	}
}
