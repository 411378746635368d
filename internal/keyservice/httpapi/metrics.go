package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// GET /metrics serves a Prometheus registry (client_golang): the Go runtime and process
// collectors, requests by route and status, the verification latency histogram, the store's
// connection pool, and the domain's events (webhook deliveries and scheduled rotations by
// outcome, credential-cache lookups), which Metrics receives as the service's Observer.
//
// Counting costs one atomic add per request, without a lock or a lookup: every route gets its
// counters when it is registered, the route wrapper hands them to the request log through the
// request state, the status code indexes an array, and a collector turns the array into series
// at scrape time. The domain's events go to series resolved when Metrics is made.

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

// standardMethods label requests to unmatched routes; any other method is "OTHER", so a client
// cannot grow the series set by inventing methods.
var standardMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
}

// Metrics is the registry GET /metrics serves. It implements keyservice.Observer.
type Metrics struct {
	registry *prometheus.Registry
	handler  http.Handler
	requests *requestCounters
	verify   prometheus.Histogram

	deliveries                            map[keyservice.DeliveryOutcome]prometheus.Counter
	rotations                             map[keyservice.RotationOutcome]prometheus.Counter
	cacheHit, cacheMiss, cacheInvalidated prometheus.Counter
	events                                map[keyservice.EventOutcome]prometheus.Counter
	leaks                                 map[keyservice.LeakOutcome]prometheus.Counter
	// refusalsUnrecorded counts refused requests left out of the audit trail because their
	// client address had spent its budget of recorded refusals.
	refusalsUnrecorded prometheus.Counter
}

var _ keyservice.Observer = (*Metrics)(nil)

// NewMetrics makes the registry, with the statistics of pool when it is not nil.
func NewMetrics(pool store.Pool) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: newRequestCounters(),
		verify: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "keyservice_verify_duration_seconds",
			Help:    "Time taken to answer POST /v1/verify, rate limiting excluded.",
			Buckets: verifyBuckets,
		}),
	}
	deliveries, rotations := outcomeCounters("keyservice_webhook_deliveries_total",
		"Webhook deliveries that ended, by outcome (delivered, or failed after every retry).", keyservice.DeliveryOutcomes),
		outcomeCounters("keyservice_scheduled_rotations_total",
			"Keys found due by scheduled rotation, by outcome (rotated, skipped, failed).", keyservice.RotationOutcomes)
	m.deliveries, m.rotations = deliveries.byOutcome, rotations.byOutcome
	events := outcomeCounters("keyservice_lifecycle_event_attempts_total",
		"Attempts at delivering a lifecycle event to a project's events webhook, by outcome (delivered; retried: failed, due again; "+
			"failed: the last attempt failed, given up; dropped: the project has no events webhook any more).", keyservice.EventOutcomes)
	leaks := outcomeCounters("keyservice_leak_report_keys_total",
		"Strings received by POST /v1/leaks, by outcome (revoked; ignored: no key, or revoked already).", keyservice.LeakOutcomes)
	m.events, m.leaks = events.byOutcome, leaks.byOutcome
	m.refusalsUnrecorded = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "keyservice_audit_refusals_unrecorded_total",
		Help: "Refused management requests not written to the audit trail: their client address had spent its budget of recorded refusals.",
	})
	lookups := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "keyservice_credential_cache_lookups_total",
		Help: "Verifications that looked in the credential cache, by result (hit, miss).",
	}, []string{"result"})
	m.cacheHit, m.cacheMiss = lookups.WithLabelValues("hit"), lookups.WithLabelValues("miss")
	m.cacheInvalidated = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "keyservice_credential_cache_invalidations_total",
		Help: "Store writes that dropped cached credentials (the keys, projects or service accounts they changed).",
	})
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.verify, deliveries.vec, rotations.vec, lookups, m.cacheInvalidated,
		events.vec, leaks.vec, m.refusalsUnrecorded,
	)
	if pool != nil {
		m.registry.MustRegister(poolCollector{pool})
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

// outcomes is a counter by outcome, each outcome's series resolved up front.
type outcomes[T ~string] struct {
	vec       *prometheus.CounterVec
	byOutcome map[T]prometheus.Counter
}

func outcomeCounters[T ~string](name, help string, all []T) outcomes[T] {
	o := outcomes[T]{
		vec:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"outcome"}),
		byOutcome: map[T]prometheus.Counter{},
	}
	for _, v := range all {
		o.byOutcome[v] = o.vec.WithLabelValues(string(v))
	}
	return o
}

// WebhookDelivery counts a delivery that ended.
func (m *Metrics) WebhookDelivery(o keyservice.DeliveryOutcome) {
	if c := m.deliveries[o]; c != nil {
		c.Inc()
	}
}

// ScheduledRotation counts what a scheduled-rotation pass did with a due key.
func (m *Metrics) ScheduledRotation(o keyservice.RotationOutcome) {
	if c := m.rotations[o]; c != nil {
		c.Inc()
	}
}

// EventDelivery counts an attempt at delivering a lifecycle event.
func (m *Metrics) EventDelivery(o keyservice.EventOutcome) {
	if c := m.events[o]; c != nil {
		c.Inc()
	}
}

// LeakReport counts what a leak report did with one string.
func (m *Metrics) LeakReport(o keyservice.LeakOutcome) {
	if c := m.leaks[o]; c != nil {
		c.Inc()
	}
}

// CredentialCache counts a credential-cache lookup or invalidation.
func (m *Metrics) CredentialCache(e keyservice.CacheEvent) {
	switch e {
	case keyservice.CacheHit:
		m.cacheHit.Inc()
	case keyservice.CacheMiss:
		m.cacheMiss.Inc()
	case keyservice.CacheInvalidated:
		m.cacheInvalidated.Inc()
	}
}

// route returns the counters of a "METHOD /path" pattern; nil for a pattern without a method
// (the catch-all), whose requests count as unmatched.
func (m *Metrics) route(pattern string) *routeMetrics {
	method, route, ok := strings.Cut(pattern, " ")
	if !ok {
		return nil
	}
	rc := m.requests.add(method, route)
	if method == http.MethodGet {
		rc.head = m.requests.add(http.MethodHead, route)
	}
	return rc
}

// count records one answered request. rc is what the route wrapper saw; nil if no route ran.
func (m *Metrics) count(rc *routeMetrics, method string, status int) {
	switch {
	case rc == nil:
		rc = m.requests.unmatched[method]
		if rc == nil {
			rc = m.requests.unmatched["OTHER"]
		}
	case rc.head != nil && method == http.MethodHead:
		rc = rc.head
	}
	if status >= minCountedStatus && status <= maxCountedStatus {
		rc.byStatus[status-minCountedStatus].Add(1)
	}
}

// requestCounters is the collector of keyservice_http_requests_total.
type requestCounters struct {
	desc      *prometheus.Desc
	mu        sync.Mutex      // guards routes while routes are registered
	routes    []*routeMetrics // registration order: the exposition is stable
	unmatched map[string]*routeMetrics
}

// routeMetrics counts the answers of one method and route pattern by status code.
type routeMetrics struct {
	method, route string
	byStatus      [maxCountedStatus - minCountedStatus + 1]atomic.Uint64
	// head counts HEAD requests, which the mux hands to GET routes.
	head *routeMetrics
}

func newRequestCounters() *requestCounters {
	c := &requestCounters{
		desc: prometheus.NewDesc("keyservice_http_requests_total",
			"HTTP requests answered, by method, route pattern and status code.", []string{"method", "route", "status"}, nil),
		unmatched: map[string]*routeMetrics{},
	}
	for _, method := range append(slices.Clone(standardMethods), "OTHER") {
		c.unmatched[method] = c.add(method, unmatchedRoute)
	}
	return c
}

func (c *requestCounters) add(method, route string) *routeMetrics {
	c.mu.Lock()
	defer c.mu.Unlock()
	rc := &routeMetrics{method: method, route: route}
	c.routes = append(c.routes, rc)
	return rc
}

// Describe implements prometheus.Collector.
func (c *requestCounters) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector: one series per route and status answered so far.
func (c *requestCounters) Collect(ch chan<- prometheus.Metric) {
	for _, n := range c.counts() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n.Count), n.Method, n.Route, strconv.Itoa(n.Status))
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
	return s.metrics.requests.counts()
}

func (c *requestCounters) counts() []RequestCount {
	c.mu.Lock()
	routes := slices.Clone(c.routes)
	c.mu.Unlock()
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

// poolCollector reads a store's pool statistics at scrape time.
type poolCollector struct{ pool store.Pool }

var (
	poolConnsDesc = prometheus.NewDesc("keyservice_store_connections",
		"Connections of the store's pool, by state (max: the most it opens; open; in_use; idle).", []string{"state"}, nil)
	poolWaitsDesc = prometheus.NewDesc("keyservice_store_connection_waits_total",
		"Times a store call waited for a free connection.", nil, nil)
	poolWaitSecondsDesc = prometheus.NewDesc("keyservice_store_connection_wait_seconds_total",
		"Time store calls spent waiting for a free connection.", nil, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolConnsDesc
	ch <- poolWaitsDesc
	ch <- poolWaitSecondsDesc
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.pool.PoolStats()
	for state, n := range map[string]int{"max": st.MaxConns, "open": st.OpenConns, "in_use": st.InUse, "idle": st.Idle} {
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(poolWaitSecondsDesc, prometheus.CounterValue, st.WaitDuration.Seconds())
}

// timeVerify feeds keyservice_verify_duration_seconds: the time the verify handler takes, from
// reading the body to writing the answer. The rate limiter sits outside it, so refused requests
// do not flatter the figures.
func (s *Server) timeVerify(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next(w, r)
		s.metrics.verify.Observe(time.Since(start).Seconds())
	}
}

// handleMetrics needs the admin token: the series show which routes are used and how often
// credentials fail, which is no business of a project's key. Prometheus sends the token with
// `authorization: {credentials_file: …}` in the scrape config.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.handler.ServeHTTP(w, r)
}
