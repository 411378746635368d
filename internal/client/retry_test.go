package client

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 3 ", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Wed, 01 Jan 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Wednesday, 01-Jan-25 12:00:10 GMT", 10 * time.Second, true},
		{"Wed, 01 Jan 2025 11:00:00 GMT", 0, true},
		{"99999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	const minWait, maxWait = 100 * time.Millisecond, 2 * time.Second
	withRetryAfter := func(status int, v string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {v}}}
	}
	if got := backoff(minWait, maxWait, 0, withRetryAfter(http.StatusTooManyRequests, "1")); got != time.Second {
		t.Errorf("429 Retry-After 1: %s", got)
	}
	if got := backoff(minWait, maxWait, 0, withRetryAfter(http.StatusServiceUnavailable, "60")); got != maxWait {
		t.Errorf("503 Retry-After 60 should be capped at %s, got %s", maxWait, got)
	}
	if got := backoff(minWait, maxWait, 0, withRetryAfter(http.StatusServiceUnavailable, "0")); got != minWait {
		t.Errorf("Retry-After 0 should wait the minimum, got %s", got)
	}
	if got := backoff(minWait, maxWait, 0, withRetryAfter(http.StatusInternalServerError, "1")); got > 2*minWait {
		t.Errorf("a 500's Retry-After is not honoured, but got %s", got)
	}
	for attempt := range 40 {
		ceiling := maxWait
		if attempt < 5 {
			ceiling = min(minWait<<attempt, maxWait)
		}
		for range 20 {
			got := backoff(minWait, maxWait, attempt, nil)
			if got < minWait || got > ceiling || got < ceiling/2 {
				t.Fatalf("attempt %d: %s outside [%s, %s]", attempt, got, max(minWait, ceiling/2), ceiling)
			}
		}
	}
}
