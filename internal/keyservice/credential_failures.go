package keyservice

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Failed credential checks are what guessing keys, tokens or one-time codes looks like, so
// each client address gets a small budget of them: a 401 to a request that presented a
// credential (a bearer token, a key to verify, a one-time code) takes one token, refilled at
// failedCredentialRate per second. A client whose budget is spent gets 429 with Retry-After,
// before any credential work, until it refills: guessing is throttled to that rate however
// fast the guesser is, and a blocked client learns nothing, even from a right guess.
// Requests that present nothing (a forgotten header) do not count.
const (
	failedCredentialRate  = 1.0
	failedCredentialBurst = 30
)

type failureLimiter struct {
	mu        sync.Mutex
	rate      float64
	burst     float64
	buckets   map[string]*bucket
	lastPrune time.Time
}

// newFailureLimiter is nil (no limit) when the verify rate limit is turned off: both exist for
// the same reason, and both must go behind a proxy that hides client addresses.
func newFailureLimiter(verifyRateLimit float64) *failureLimiter {
	if verifyRateLimit < 0 {
		return nil
	}
	return &failureLimiter{rate: failedCredentialRate, burst: failedCredentialBurst, buckets: map[string]*bucket{}}
}

// refill brings client's bucket up to now; the caller holds mu.
func (l *failureLimiter) refill(client string, now time.Time) *bucket {
	if now.Sub(l.lastPrune) > rateLimiterMaxIdle {
		for k, b := range l.buckets {
			if now.Sub(b.last) > rateLimiterMaxIdle {
				delete(l.buckets, k)
			}
		}
		l.lastPrune = now
	}
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[client] = b
	}
	if now.After(b.last) {
		b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
		b.last = now
	}
	return b
}

// blocked reports whether client has spent its budget, and how long until a token is back.
func (l *failureLimiter) blocked(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(client, now)
	if b.tokens >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// fail takes one token from client's budget.
func (l *failureLimiter) fail(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(client, now)
	b.tokens = max(0, b.tokens-1)
}

// clientAddress is the peer's IP address, the unit of every per-client limit.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// presentsCredential reports whether r carries something a guesser would vary.
func presentsCredential(r *http.Request, verify bool) bool {
	return verify || r.Header.Get("Authorization") != "" || r.Header.Get(headerOTP) != ""
}

// limitFailedCredentials wraps a route that checks a credential (verify is true for
// POST /v1/verify, whose body is the credential).
func (s *Server) limitFailedCredentials(next http.Handler, verify bool) http.Handler {
	if s.credentialFailures == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !presentsCredential(r, verify) {
			next.ServeHTTP(w, r)
			return
		}
		client := clientAddress(r)
		// Wall-clock time, as for the verify rate limit: tests move the injected clock.
		if blocked, wait := s.credentialFailures.blocked(client, time.Now()); blocked {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(wait.Seconds()+0.999))))
			s.writeError(w, r, &httpError{status: http.StatusTooManyRequests, code: codeRateLimited,
				message: "too many failed credential checks from this address; retry later"})
			return
		}
		sw := &failureWatch{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == http.StatusUnauthorized {
			s.credentialFailures.fail(client, time.Now())
		}
	})
}

// failureWatch remembers the status a handler wrote.
type failureWatch struct {
	http.ResponseWriter
	status int
}

func (w *failureWatch) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *failureWatch) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *failureWatch) Unwrap() http.ResponseWriter { return w.ResponseWriter }
