package acctest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// A Fault is what the FaultProxy does to a request a rule selects instead of passing it on.
type Fault struct {
	// Name identifies the fault in test names and logs.
	Name string
	// Forward sends the request to the server first, so the server acts on it (and commits)
	// before the fault hits the answer.
	Forward bool
	// Drop closes the client's connection without an answer.
	Drop bool
	// Stall holds the answer back this long (or until the client gives up), then drops it.
	Stall time.Duration
	// Status, when set, is the answer instead of the server's, with a JSON error body.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header of Status.
	RetryAfter string
	// Before, when set, runs before the request is forwarded: a concurrent writer, say. A
	// fault with only Before (and Forward) passes the request and its answer through.
	Before func(r *http.Request)
	// Rewrite, when set, makes the answer: from the server's status and body with Forward (a
	// corrupted answer, a gateway's error page), from nothing without (status and body 0, nil).
	Rewrite func(r *http.Request, requestBody []byte, status int, body []byte) (int, []byte)
}

// The faults the fault matrix runs. 5xx that a gateway returns after the server acted forward
// first; overload answers (503, 429) are given before the server sees the request.
var (
	DropBeforeServer   = Fault{Name: "drop-before-server", Drop: true}
	DropAfterCommit    = Fault{Name: "drop-after-commit", Forward: true, Drop: true}
	Status500          = Fault{Name: "500-after-commit", Forward: true, Status: http.StatusInternalServerError}
	Status500RetryAft  = Fault{Name: "500-retry-after", Status: http.StatusInternalServerError, RetryAfter: "1"}
	Status502          = Fault{Name: "502-after-commit", Forward: true, Status: http.StatusBadGateway}
	Status503          = Fault{Name: "503", Status: http.StatusServiceUnavailable}
	Status503RetryAft  = Fault{Name: "503-retry-after", Status: http.StatusServiceUnavailable, RetryAfter: "1"}
	Status429RetryAft  = Fault{Name: "429-retry-after", Status: http.StatusTooManyRequests, RetryAfter: "1"}
	StallPastTimeout   = Fault{Name: "stall-past-timeout", Forward: true, Stall: 10 * time.Second}
	AllFaults          = []Fault{DropBeforeServer, DropAfterCommit, Status500, Status500RetryAft, Status502, Status503, Status503RetryAft, Status429RetryAft, StallPastTimeout}
	errorBodyOfFault   = `{"error":{"code":"internal","message":"fault injected by the test proxy"}}`
	rateLimitedOfFault = `{"error":{"code":"rate_limited","message":"fault injected by the test proxy"}}`
)

// A FaultRule selects requests by method and route pattern (net/http ServeMux syntax, e.g.
// "POST /v1/api-keys/{id}/rotate") and applies Fault to a share of them. Of several rules, the
// first that matches and is not spent decides, faulting the request or not.
type FaultRule struct {
	Pattern string
	Fault   Fault
	// Rate is the probability (0..1] that a matching request gets the fault, drawn from the
	// proxy's seeded RNG.
	Rate float64
	// Limit caps how many requests get the fault; 0 is no cap. Rate 1, Limit 1 is a one-off.
	Limit int

	mux      *http.ServeMux
	matched  int
	injected int
}

// Injected reports how many requests the rule has hit so far.
func (r *FaultRule) Injected() int { return r.injected }

// A ProxiedRequest is one request the proxy saw, for assertions on retries.
type ProxiedRequest struct {
	Method, Path   string
	IdempotencyKey string
	IfMatch        string
	Fault          string // "" when passed through
	Status         int    // what the server answered, when it was asked
}

// FaultProxy is a loopback reverse proxy in front of a key server that injects network and
// HTTP faults into the requests its rules select. Point the provider at URL instead of the
// server's URL.
type FaultProxy struct {
	URL string

	t         testing.TB
	target    *url.URL
	http      *httptest.Server
	transport *http.Transport

	mu    sync.Mutex
	rng   *rand.Rand
	rules []*FaultRule
	log   []ProxiedRequest
}

// NewFaultProxy starts a proxy to target (a server URL) whose RNG is seeded with seed, so a
// run at parallelism 1 injects the same faults each time. It stops at cleanup.
func NewFaultProxy(t testing.TB, target string, seed uint64) *FaultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("fault proxy target %q: %v", target, err)
	}
	p := &FaultProxy{
		t:         t,
		target:    u,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}
	p.http = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.http.URL
	t.Cleanup(func() {
		p.http.CloseClientConnections()
		p.http.Close()
		p.transport.CloseIdleConnections()
	})
	return p
}

// Set replaces the proxy's rules; no rules passes everything through.
func (p *FaultProxy) Set(rules ...*FaultRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range rules {
		r.mux = http.NewServeMux()
		r.mux.HandleFunc(r.Pattern, func(http.ResponseWriter, *http.Request) {})
	}
	p.rules = rules
}

// Requests returns what the proxy saw since the last Reset.
func (p *FaultProxy) Requests() []ProxiedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ProxiedRequest(nil), p.log...)
}

// Reset forgets the rules and the request log.
func (p *FaultProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.log = nil, nil
}

// pick returns the fault for r, if a rule selects it, and records the request.
func (p *FaultProxy) pick(r *http.Request) (Fault, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	entry := ProxiedRequest{
		Method: r.Method, Path: r.URL.Path,
		IdempotencyKey: r.Header.Get("Idempotency-Key"), IfMatch: r.Header.Get("If-Match"),
	}
	var fault Fault
	for _, rule := range p.rules {
		if _, pattern := rule.mux.Handler(r); pattern == "" {
			continue
		}
		rule.matched++
		if rule.Limit > 0 && rule.injected >= rule.Limit {
			continue // spent: a later rule may still apply
		}
		if rule.Rate >= 1 || p.rng.Float64() < rule.Rate {
			rule.injected++
			fault = rule.Fault
			entry.Fault = fault.Name
		}
		break
	}
	p.log = append(p.log, entry)
	return fault, len(p.log) - 1
}

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		hangUp(w)
		return
	}
	fault, entry := p.pick(r)

	if fault.Before != nil {
		fault.Before(r)
	}
	passThrough := fault.Name == "" || (fault.Forward && !fault.Drop && fault.Stall == 0 && fault.Status == 0)
	var resp *recordedResponse
	if fault.Name == "" || fault.Forward {
		resp, err = p.forward(r, body)
		if err != nil {
			// The server is down (a restart test): answer as a dead server would.
			hangUp(w)
			return
		}
		p.mu.Lock()
		p.log[entry].Status = resp.status
		p.mu.Unlock()
	}
	if fault.Rewrite != nil {
		if resp == nil {
			resp = &recordedResponse{header: http.Header{"Content-Type": {"application/json"}}}
		}
		resp.status, resp.body = fault.Rewrite(r, body, resp.status, resp.body)
		passThrough = true
	}
	switch {
	case passThrough:
		resp.write(w)
	case fault.Stall > 0:
		select {
		case <-time.After(fault.Stall):
		case <-r.Context().Done():
		}
		hangUp(w)
	case fault.Drop:
		hangUp(w)
	default:
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fault.Status)
		if fault.Status == http.StatusTooManyRequests {
			_, _ = io.WriteString(w, rateLimitedOfFault)
		} else {
			_, _ = io.WriteString(w, errorBodyOfFault)
		}
	}
}

type recordedResponse struct {
	status int
	header http.Header
	body   []byte
}

func (rr *recordedResponse) write(w http.ResponseWriter) {
	for k, vs := range rr.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(rr.status)
	_, _ = w.Write(rr.body)
}

// forward sends the request to the server and reads its whole answer, so the server has
// finished acting on it whatever the proxy then does to the answer.
func (p *FaultProxy) forward(r *http.Request, body []byte) (*recordedResponse, error) {
	u := *p.target
	u.Path = strings.TrimRight(u.Path, "/") + r.URL.Path
	u.RawQuery = r.URL.RawQuery
	// Not r.Context(): a client that gives up must not cancel what the server is doing, as with
	// a real network between them.
	out, err := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	out.Header.Del("Connection")
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	h.Del("Content-Length")
	return &recordedResponse{status: resp.StatusCode, header: h, body: b}, nil
}

// hangUp closes the client's connection without a response.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fault proxy: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}

// String describes a rule for test names: "drop-after-commit@30%".
func (r *FaultRule) String() string {
	if r.Limit == 1 && r.Rate >= 1 {
		return r.Fault.Name + "@once"
	}
	return fmt.Sprintf("%s@%d%%", r.Fault.Name, int(r.Rate*100+0.5))
}
