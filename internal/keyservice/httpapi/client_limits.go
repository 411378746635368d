package httpapi

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// ClientLimits are the limits each client address gets. The zero value is the default.
type ClientLimits struct {
	// VerifyPerSecond is each client address's budget of POST /v1/verify, in requests per
	// second, with a burst of four seconds' worth; 0 means DefaultVerifyPerSecond.
	VerifyPerSecond float64
	// Disabled turns every per-client limit off: the verify budget and the budget of failed
	// credential checks. Only for load tests, or behind a proxy that limits per client (and so
	// hides client addresses, which would put every client in one budget).
	Disabled bool
	// Now is the clock of the budgets; nil means time.Now. It is not the service's clock, which
	// tests move across key lifetimes: that must not refill budgets.
	Now func() time.Time
}

// /v1/verify needs no credential, so it is the endpoint an attacker would use to guess keys; a
// per-client budget bounds that, generous for legitimate callers.
const (
	DefaultVerifyPerSecond = 50
	verifyBurstSeconds     = 4
)

// Failed credential checks are what guessing keys, tokens or one-time codes looks like, so each
// client address gets a small budget of them: a 401 to a request that presented a credential
// (a bearer token, a key to verify, a one-time code) takes one token, refilled at
// failedCredentialRate per second. A client whose budget is spent gets 429 with Retry-After,
// before any credential work, until it refills: guessing is throttled to that rate however fast
// the guesser is, and a blocked client learns nothing, even from a right guess. Requests that
// present nothing (a forgotten header) do not count.
const (
	failedCredentialRate  = 1.0
	failedCredentialBurst = 30
)

// clientLimiters holds the budgets of every client address.
type clientLimiters struct {
	now      func() time.Time
	verify   *perClient
	failures *perClient
	// refusals bounds the refused requests written to the audit trail (refusals.go), leaks
	// the leak reports (leaks.go).
	refusals *perClient
	leaks    *perClient
}

// newClientLimiters is nil (no limit) when the limits are disabled.
func newClientLimiters(c ClientLimits) *clientLimiters {
	if c.Disabled {
		return nil
	}
	perSecond := c.VerifyPerSecond
	if perSecond <= 0 {
		perSecond = DefaultVerifyPerSecond
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &clientLimiters{
		now:      now,
		verify:   newPerClient(rate.Limit(perSecond), max(1, int(perSecond*verifyBurstSeconds))),
		failures: newPerClient(failedCredentialRate, failedCredentialBurst),
		refusals: newPerClient(refusalRecordRate, refusalRecordBurst),
		leaks:    newPerClient(leakReportRate, leakReportBurst),
	}
}

// clientIdleTTL is how long a client's budget is kept after its last request: by then it is full.
const clientIdleTTL = 10 * time.Minute

// perClient is a token bucket (golang.org/x/time/rate) per client address.
type perClient struct {
	limit     rate.Limit
	burst     int
	mu        sync.Mutex
	clients   map[string]*clientBudget
	lastPrune time.Time
}

type clientBudget struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newPerClient(limit rate.Limit, burst int) *perClient {
	return &perClient{limit: limit, burst: burst, clients: map[string]*clientBudget{}}
}

// limiter returns client's bucket, dropping those idle long enough to be full again.
func (p *perClient) limiter(client string, now time.Time) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.lastPrune) > clientIdleTTL {
		for k, b := range p.clients {
			if now.Sub(b.seen) > clientIdleTTL {
				delete(p.clients, k)
			}
		}
		p.lastPrune = now
	}
	b, ok := p.clients[client]
	if !ok {
		b = &clientBudget{limiter: rate.NewLimiter(p.limit, p.burst)}
		p.clients[client] = b
	}
	b.seen = now
	return b.limiter
}

// take takes one token for client, or reports how long until one is free.
func (p *perClient) take(client string, now time.Time) (bool, time.Duration) {
	l := p.limiter(client, now)
	if l.AllowN(now, 1) {
		return true, 0
	}
	return false, p.wait(l, now)
}

// spent reports whether client has no token left, and how long until one is back.
func (p *perClient) spent(client string, now time.Time) (bool, time.Duration) {
	l := p.limiter(client, now)
	if l.TokensAt(now) >= 1 {
		return false, 0
	}
	return true, p.wait(l, now)
}

func (p *perClient) wait(l *rate.Limiter, now time.Time) time.Duration {
	return time.Duration((1 - l.TokensAt(now)) / float64(p.limit) * float64(time.Second))
}

// retryAfter is the Retry-After value of a wait: whole seconds, at least one.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(max(1, int(wait.Seconds()+0.999)))
}

// clientAddress is the peer's IP address, the unit of every per-client limit.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limitVerifications spends the client's verify budget.
func (s *Server) limitVerifications(next http.HandlerFunc) http.HandlerFunc {
	if s.limits == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.limits.verify.take(clientAddress(r), s.limits.now()); !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.writeError(w, r, &httpError{status: http.StatusTooManyRequests, code: codeRateLimited,
				message: "too many verification requests; retry later"})
			return
		}
		next(w, r)
	}
}

// presentsCredential reports whether r carries something a guesser would vary.
func presentsCredential(r *http.Request, verify bool) bool {
	return verify || r.Header.Get("Authorization") != "" || r.Header.Get(keyservice.FieldOTP) != ""
}

// limitFailedCredentials wraps a route that checks a credential (verify is true for
// POST /v1/verify, whose body is the credential).
func (s *Server) limitFailedCredentials(next http.Handler, verify bool) http.Handler {
	if s.limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !presentsCredential(r, verify) {
			next.ServeHTTP(w, r)
			return
		}
		client := clientAddress(r)
		if blocked, wait := s.limits.failures.spent(client, s.limits.now()); blocked {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.writeError(w, r, &httpError{status: http.StatusTooManyRequests, code: codeRateLimited,
				message: "too many failed credential checks from this address; retry later"})
			return
		}
		sw := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == http.StatusUnauthorized {
			s.limits.failures.take(client, s.limits.now())
		}
	})
}
