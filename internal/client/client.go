// Package client is a typed Go client for the key service HTTP API v1. It
// retries transient failures (connection errors, 429, 5xx but 501) with
// backoff that honours Retry-After, sends one Idempotency-Key per logical POST
// so a retried create never creates twice, and maps error responses onto
// *APIError and sentinel errors. It imports nothing from Terraform.
package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults of Config; the provider documents its max_retries and request_timeout with these.
const (
	// DefaultMaxRetries is how many times a failed attempt is retried when Config.MaxRetries is nil.
	DefaultMaxRetries = 4
	// DefaultRequestTimeout bounds one attempt when Config.RequestTimeout is zero.
	DefaultRequestTimeout = 30 * time.Second
)

const (
	defaultRetryWaitMin = 250 * time.Millisecond
	defaultRetryWaitMax = 10 * time.Second
	defaultUserAgent    = "keyservice-go-client"

	// maxResponseBytes bounds what the client reads of any response.
	maxResponseBytes = 16 << 20

	headerIdempotencyKey = "Idempotency-Key"
	headerIfMatch        = "If-Match"
	headerETag           = "ETag"
	headerOTP            = "X-Keyservice-Otp"
	headerRequestID      = "X-Request-Id"
)

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	Endpoint string // base URL, e.g. "http://127.0.0.1:8080"; an absolute http(s) URL
	Token    string // bearer token: the admin token, or an API key with keys:read, keys:write or keys:admin
	// MaxRetries is how many times an attempt that failed transiently is retried: nil for
	// DefaultMaxRetries, new(0) for exactly one attempt; negative is an error.
	MaxRetries     *int
	RequestTimeout time.Duration // per attempt; zero means DefaultRequestTimeout
	RetryWaitMin   time.Duration // default 250ms
	RetryWaitMax   time.Duration // default 10s; also caps a server's Retry-After
	HTTPClient     *http.Client  // optional base client (e.g. a custom TLS CA); its Transport is reused
	Logger         Logger        // optional
	UserAgent      string        // optional, e.g. "terraform-provider-keyservice/0.1.0"
	OTP            string        // optional; sent as X-Keyservice-OTP on every request that changes something (not GET)
}

// Client talks to one key service. It is safe for concurrent use.
type Client struct {
	endpoint   string // without a trailing slash
	token      string
	userAgent  string
	otp        string
	maxRetries int
	logger     Logger
	http       *retryablehttp.Client
}

// New validates cfg and builds a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	endpoint, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	maxRetries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		maxRetries = *cfg.MaxRetries
	}
	switch {
	case maxRetries < 0:
		return nil, fmt.Errorf("keyservice client: max retries must not be negative, got %d", maxRetries)
	case cfg.RequestTimeout < 0:
		return nil, fmt.Errorf("keyservice client: request timeout must not be negative, got %s", cfg.RequestTimeout)
	case cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0:
		return nil, fmt.Errorf("keyservice client: retry waits must not be negative, got min %s, max %s", cfg.RetryWaitMin, cfg.RetryWaitMax)
	case cfg.RetryWaitMin > 0 && cfg.RetryWaitMax > 0 && cfg.RetryWaitMax < cfg.RetryWaitMin:
		return nil, fmt.Errorf("keyservice client: retry wait max %s is below retry wait min %s", cfg.RetryWaitMax, cfg.RetryWaitMin)
	}

	c := &Client{
		endpoint:   endpoint,
		token:      cfg.Token,
		userAgent:  cmp.Or(cfg.UserAgent, defaultUserAgent),
		otp:        cfg.OTP,
		maxRetries: maxRetries,
		logger:     cfg.Logger,
	}
	waitMin := cmp.Or(cfg.RetryWaitMin, defaultRetryWaitMin)
	waitMax := cmp.Or(cfg.RetryWaitMax, max(defaultRetryWaitMax, waitMin))

	httpClient := cleanhttp.DefaultPooledClient()
	if base := cfg.HTTPClient; base != nil {
		httpClient = &http.Client{Transport: base.Transport, CheckRedirect: base.CheckRedirect, Jar: base.Jar}
	}
	httpClient.Timeout = cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout)
	if httpClient.Transport == nil {
		httpClient.Transport = http.DefaultTransport
	}
	httpClient.Transport = keepAlive(httpClient.Transport)

	c.http = &retryablehttp.Client{
		HTTPClient:      httpClient,
		Logger:          nil, // we log ourselves, through the request's context
		RetryWaitMin:    waitMin,
		RetryWaitMax:    waitMax,
		RetryMax:        c.maxRetries,
		RequestLogHook:  c.requestLogHook,
		ResponseLogHook: c.responseLogHook,
		CheckRetry:      c.checkRetry,
		Backoff:         backoff,
		ErrorHandler:    retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

func parseEndpoint(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("keyservice client: endpoint %q must be an absolute http(s) URL such as http://127.0.0.1:8080", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// call describes one logical API call; retries of it are attempts.
type call struct {
	method    string
	path      string // escaped, starting with "/"
	query     url.Values
	in        any // request body, JSON-encoded when non-nil
	out       any // decoded from a 2xx body when non-nil
	anonymous bool
	ifMatch   string  // sent as If-Match when set
	etag      *string // receives the ETag of a 2xx answer when non-nil
	attempts  *int    // receives how many attempts the call took when non-nil
}

// callState follows a call through retryablehttp's hooks, which only see the
// *http.Request; it travels in the request's context.
type callState struct {
	method       string
	url          string // redacted, for logs
	body         []byte
	attempts     int
	attemptStart time.Time
	uncertain    bool // an attempt ended without a definite answer: its request may have been applied
}

type callStateKey struct{}

func callStateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st == nil {
		st = &callState{attemptStart: time.Now()}
	}
	return st
}

func (c *Client) do(ctx context.Context, r call) error {
	st := &callState{}
	if r.in != nil {
		body, err := json.Marshal(r.in)
		if err != nil {
			return fmt.Errorf("keyservice: %s %s: encoding the request: %w", r.method, r.path, err)
		}
		st.body = body
	}
	target := c.endpoint + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}

	var rawBody any
	if st.body != nil {
		rawBody = st.body
	}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, st), r.method, target, rawBody)
	if err != nil {
		return fmt.Errorf("keyservice: %s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if st.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" && !r.anonymous {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.method == http.MethodPost {
		// One key per logical call: every retry of it sends the same key, so
		// the server replays the first response instead of acting twice.
		key := idempotencyKeyFrom(ctx)
		if key == "" {
			if key, err = NewIdempotencyKey(); err != nil {
				return fmt.Errorf("keyservice: %s %s: generating an idempotency key: %w", r.method, r.path, err)
			}
		}
		req.Header.Set(headerIdempotencyKey, key)
	}
	if c.otp != "" && r.method != http.MethodGet {
		req.Header.Set(headerOTP, c.otp)
	}
	if r.ifMatch != "" {
		req.Header.Set(headerIfMatch, r.ifMatch)
	}

	resp, err := c.http.Do(req)
	if r.attempts != nil {
		*r.attempts = max(st.attempts, 1)
	}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		return fmt.Errorf("keyservice: %s %s failed after %d attempt(s): %w", r.method, r.path, max(st.attempts, 1), err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("keyservice: %s %s: reading the response (status %d): %w", r.method, r.path, resp.StatusCode, err)
	}
	if len(body) > maxResponseBytes {
		return fmt.Errorf("keyservice: %s %s: response (status %d) is larger than %d bytes", r.method, r.path, resp.StatusCode, maxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A proxy or a broken server may echo the request; the error ends up in CI logs.
		apiErr := decodeAPIError(resp.StatusCode, resp.Header.Get(headerRequestID), redactCredentials(body, c.token, c.otp))
		apiErr.AfterUncertainAttempt = st.uncertain
		return apiErr
	}
	if r.etag != nil {
		*r.etag = resp.Header.Get(headerETag)
	}
	if r.out == nil {
		return nil
	}
	if err := decodeResponse(body, r.out); err != nil {
		return fmt.Errorf("keyservice: %s %s: the response (status %d, %d bytes) could not be decoded: %w", r.method, r.path, resp.StatusCode, len(body), err)
	}
	return nil
}

// decodeResponse decodes a 2xx body into out. It rejects an empty body and
// trailing data, and its errors never quote the body, which may hold a secret.
func decodeResponse(body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("the body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(out); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Errorf("field %q has JSON type %s, want %s", typeErr.Field, typeErr.Value, typeErr.Type)
		}
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return fmt.Errorf("invalid JSON at offset %d", syntaxErr.Offset)
		}
		return errors.New("invalid JSON")
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// resourcePath builds collection + "/" + id (+ "/" + action), escaping the id
// so it can never change the route. An empty id would silently address the
// collection instead, so it is an error.
func resourcePath(collection, id, action string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", fmt.Errorf("keyservice: an id is required for %s", collection)
	}
	p := collection + "/" + url.PathEscape(id)
	if action != "" {
		p += "/" + action
	}
	return p, nil
}

func (c *Client) requestLogHook(_ retryablehttp.Logger, req *http.Request, attempt int) {
	ctx := req.Context()
	st := callStateFrom(ctx)
	st.method, st.url = req.Method, req.URL.Redacted()
	st.attempts = attempt + 1
	st.attemptStart = time.Now()
	if c.logger == nil {
		return
	}
	fields := map[string]any{"method": st.method, "url": st.url, "attempt": st.attempts}
	if key := req.Header.Get(headerIdempotencyKey); key != "" {
		fields["idempotency_key"] = key
	}
	c.log(ctx, LevelDebug, "keyservice request", fields)
	if !c.enabled(ctx, LevelTrace) {
		return
	}
	c.log(ctx, LevelTrace, "keyservice request body", map[string]any{
		"method":  st.method,
		"url":     st.url,
		"attempt": st.attempts,
		"headers": redactHeaders(req.Header),
		"body":    string(redactJSON(st.body)),
	})
}

func (c *Client) responseLogHook(_ retryablehttp.Logger, resp *http.Response) {
	if c.logger == nil || resp.Request == nil {
		return
	}
	ctx := resp.Request.Context()
	st := callStateFrom(ctx)
	fields := map[string]any{
		"method":      resp.Request.Method,
		"url":         resp.Request.URL.Redacted(),
		"status":      resp.StatusCode,
		"duration_ms": time.Since(st.attemptStart).Milliseconds(),
	}
	c.log(ctx, LevelDebug, "keyservice response", fields)
	if !c.enabled(ctx, LevelTrace) {
		return
	}

	// Peek at the body for the trace log and hand the same bytes on.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	c.log(ctx, LevelTrace, "keyservice response body", map[string]any{
		"method":  resp.Request.Method,
		"url":     resp.Request.URL.Redacted(),
		"status":  resp.StatusCode,
		"headers": redactHeaders(resp.Header),
		"body":    string(redactJSON(body)),
	})
}
