package keyservice

import (
	"bufio"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// GET /metrics answers in the Prometheus text exposition format (version 0.0.4), written here
// by hand: one counter and one histogram do not justify client_golang and its dependencies.
//
// Counting costs one atomic add per request: every route gets its counters when it is
// registered, the route wrapper hands them to the request log through the request state, and
// the status code indexes an array. Nothing is looked up or locked on the request path.

const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// Status codes 100–599 have a counter each. This server writes no other.
const (
	minCountedStatus = 100
	maxCountedStatus = 599
)

// unmatchedRoute labels requests that no route took: the catch-all's 404s, and requests
// refused before routing (a body over the limit).
const unmatchedRoute = "unmatched"

// verifyBuckets are the upper bounds, in seconds, of keyservice_verify_duration_seconds. A
// verification on a local store takes well under a millisecond, so the buckets are fine there.
var verifyBuckets = []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}

// standardMethods label requests to unmatched routes; any other method is "OTHER", so a
// client cannot grow the series set by inventing methods.
var standardMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
}

// metrics holds the server's counters.
type metrics struct {
	mu        sync.Mutex       // guards routes while routes are registered
	routes    []*routeCounters // registration order: the exposition is stable
	unmatched map[string]*routeCounters
	verify    histogram
}

// routeCounters counts the answers of one method and route pattern by status code.
type routeCounters struct {
	method, route string
	byStatus      [maxCountedStatus - minCountedStatus + 1]atomic.Uint64
	// head counts HEAD requests, which the mux hands to GET routes.
	head *routeCounters
}

func newMetrics() *metrics {
	m := &metrics{unmatched: map[string]*routeCounters{}, verify: newHistogram(verifyBuckets)}
	for _, method := range append(slices.Clone(standardMethods), "OTHER") {
		m.unmatched[method] = m.add(method, unmatchedRoute)
	}
	return m
}

func (m *metrics) add(method, route string) *routeCounters {
	m.mu.Lock()
	defer m.mu.Unlock()
	rc := &routeCounters{method: method, route: route}
	m.routes = append(m.routes, rc)
	return rc
}

// register returns the counters of a "METHOD /path" pattern; nil for a pattern without a
// method (the catch-all), whose requests count as unmatched.
func (m *metrics) register(pattern string) *routeCounters {
	method, route, ok := strings.Cut(pattern, " ")
	if !ok {
		return nil
	}
	rc := m.add(method, route)
	if method == http.MethodGet {
		rc.head = m.add(http.MethodHead, route)
	}
	return rc
}

// count records one answered request. rc is what the route wrapper saw; nil if no route ran.
func (m *metrics) count(rc *routeCounters, method string, status int) {
	switch {
	case rc == nil:
		rc = m.unmatched[method]
		if rc == nil {
			rc = m.unmatched["OTHER"]
		}
	case rc.head != nil && method == http.MethodHead:
		rc = rc.head
	}
	if status >= minCountedStatus && status <= maxCountedStatus {
		rc.byStatus[status-minCountedStatus].Add(1)
	}
}

// RequestCount is one series of keyservice_http_requests_total.
type RequestCount struct {
	Method string // the route's method
	Route  string // the route's path pattern, e.g. /v1/api-keys/{id}, or "unmatched"
	Status int
	Count  uint64
}

// RequestCounts returns every non-zero series of keyservice_http_requests_total, in route
// registration order, then by status. Tests use it to assert request budgets.
func (s *Server) RequestCounts() []RequestCount {
	return s.metrics.requestCounts()
}

func (m *metrics) requestCounts() []RequestCount {
	m.mu.Lock()
	routes := slices.Clone(m.routes)
	m.mu.Unlock()
	var out []RequestCount
	for _, rc := range routes {
		for i := range rc.byStatus {
			if n := rc.byStatus[i].Load(); n > 0 {
				out = append(out, RequestCount{Method: rc.method, Route: rc.route, Status: i + minCountedStatus, Count: n})
			}
		}
	}
	return out
}

// histogram is a Prometheus histogram with fixed buckets. Each observation lands in one
// bucket; the exposition makes them cumulative. A scrape during observations may see the sum
// and the buckets a few observations apart, which Prometheus tolerates.
type histogram struct {
	bounds  []float64
	counts  []atomic.Uint64 // len(bounds)+1: the last is +Inf
	sumNano atomic.Uint64
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

func (h *histogram) observe(d time.Duration) {
	secs := d.Seconds()
	i, _ := slices.BinarySearch(h.bounds, secs) // le: a value equal to a bound belongs to it
	h.counts[i].Add(1)
	h.sumNano.Add(uint64(max(d, 0)))
}

// timeVerify feeds keyservice_verify_duration_seconds: the time the verify handler takes,
// from reading the body to writing the answer. The rate limiter sits outside it, so refused
// requests do not flatter the figures.
func (s *Server) timeVerify(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next(w, r)
		s.metrics.verify.observe(time.Since(start))
	}
}

// handleMetrics needs the admin token: the series show which routes are used and how often
// credentials fail, which is no business of a project's key. Prometheus sends the token with
// `authorization: {credentials_file: …}` in the scrape config.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if err := principalFrom(r.Context()).mustBeAdmin(); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", metricsContentType)
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	s.metrics.writeText(bw)
	_ = bw.Flush()
}

func (m *metrics) writeText(w *bufio.Writer) {
	w.WriteString("# HELP keyservice_http_requests_total HTTP requests answered, by method, route pattern and status code.\n")
	w.WriteString("# TYPE keyservice_http_requests_total counter\n")
	for _, c := range m.requestCounts() {
		w.WriteString(`keyservice_http_requests_total{method="`)
		w.WriteString(escapeLabel(c.Method))
		w.WriteString(`",route="`)
		w.WriteString(escapeLabel(c.Route))
		w.WriteString(`",status="`)
		w.WriteString(strconv.Itoa(c.Status))
		w.WriteString(`"} `)
		w.WriteString(strconv.FormatUint(c.Count, 10))
		w.WriteByte('\n')
	}

	const name = "keyservice_verify_duration_seconds"
	w.WriteString("# HELP " + name + " Time taken to answer POST /v1/verify, rate limiting excluded.\n")
	w.WriteString("# TYPE " + name + " histogram\n")
	var cumulative uint64
	for i := range m.verify.counts {
		cumulative += m.verify.counts[i].Load()
		le := "+Inf"
		if i < len(m.verify.bounds) {
			le = formatFloat(m.verify.bounds[i])
		}
		w.WriteString(name + `_bucket{le="` + le + `"} ` + strconv.FormatUint(cumulative, 10) + "\n")
	}
	sum := time.Duration(m.verify.sumNano.Load()).Seconds()
	w.WriteString(name + "_sum " + formatFloat(sum) + "\n")
	w.WriteString(name + "_count " + strconv.FormatUint(cumulative, 10) + "\n")
}

func formatFloat(f float64) string {
	if math.IsInf(f, +1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// escapeLabel escapes a label value as the text format requires.
func escapeLabel(v string) string {
	if !strings.ContainsAny(v, "\\\"\n") {
		return v
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}
