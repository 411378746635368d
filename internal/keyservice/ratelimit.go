package keyservice

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// /v1/verify needs no credential, so it is the endpoint an attacker would
// use to guess keys; a per-client token bucket bounds that. The budget is
// generous for legitimate callers.
const (
	verifyRatePerSecond = 50
	verifyBurst         = 200
	rateLimiterMaxIdle  = 10 * time.Minute
)

type rateLimiter struct {
	mu        sync.Mutex
	rate      float64
	burst     float64
	buckets   map[string]*bucket
	lastPrune time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newVerifyLimiter applies Config.VerifyRateLimit: nil (no limit) when it is negative.
func newVerifyLimiter(rate float64) *rateLimiter {
	switch {
	case rate < 0:
		return nil
	case rate == 0:
		return newRateLimiter(verifyRatePerSecond, verifyBurst)
	}
	return newRateLimiter(rate, rate*verifyBurst/verifyRatePerSecond)
}

func newRateLimiter(rate, burst float64) *rateLimiter {
	return &rateLimiter{rate: rate, burst: burst, buckets: make(map[string]*bucket)}
}

// allow takes one token for client, or reports how long until one is free.
func (l *rateLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
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
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (s *Server) rateLimited(next http.HandlerFunc) http.HandlerFunc {
	if s.verifyLimit == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		client, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			client = r.RemoteAddr
		}
		// Wall-clock time: the injected clock is for key lifetimes, and tests
		// that move it must not refill buckets.
		if ok, wait := s.verifyLimit.allow(client, time.Now()); !ok {
			secs := max(1, int(wait.Seconds()+0.999))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeError(w, r, &httpError{status: http.StatusTooManyRequests, code: codeRateLimited,
				message: "too many verification requests; retry later"})
			return
		}
		next(w, r)
	}
}
