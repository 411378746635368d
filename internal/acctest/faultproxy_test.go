package acctest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// committingServer counts the requests that reached it: what "the server acted" means here.
func committingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"k1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestFaultProxyFaults(t *testing.T) {
	cases := []struct {
		fault      Fault
		wantStatus int // 0: the connection is dropped
		reached    bool
		retryAfter string
	}{
		{DropBeforeServer, 0, false, ""},
		{DropAfterCommit, 0, true, ""},
		{Status500, http.StatusInternalServerError, true, ""},
		{Status500RetryAft, http.StatusInternalServerError, false, "1"},
		{Status502, http.StatusBadGateway, true, ""},
		{Status503, http.StatusServiceUnavailable, false, ""},
		{Status503RetryAft, http.StatusServiceUnavailable, false, "1"},
		{Status429RetryAft, http.StatusTooManyRequests, false, "1"},
		{StallPastTimeout, 0, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.fault.Name, func(t *testing.T) {
			srv, reached := committingServer(t)
			p := NewFaultProxy(t, srv.URL, 1)
			p.Set(&FaultRule{Pattern: "POST /v1/api-keys", Fault: tc.fault, Rate: 1, Limit: 1})
			c := &http.Client{Timeout: 500 * time.Millisecond}
			start := time.Now()
			resp, err := c.Post(p.URL+"/v1/api-keys", "application/json", strings.NewReader(`{}`))
			switch {
			case tc.wantStatus == 0 && err == nil:
				resp.Body.Close()
				t.Fatalf("got status %d, want a dropped connection", resp.StatusCode)
			case tc.wantStatus != 0 && err != nil:
				t.Fatalf("got %v, want status %d", err, tc.wantStatus)
			case tc.wantStatus != 0:
				resp.Body.Close()
				if resp.StatusCode != tc.wantStatus || resp.Header.Get("Retry-After") != tc.retryAfter {
					t.Fatalf("got %d with Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
				}
			}
			if tc.fault.Stall > 0 && time.Since(start) > 5*time.Second {
				t.Errorf("a stall lasted %s although the client gave up after 500ms", time.Since(start))
			}
			if got := reached.Load() == 1; got != tc.reached {
				t.Errorf("the server saw the request: %t, want %t", got, tc.reached)
			}
			// The one-off is spent: the next request passes through.
			resp, err = c.Post(p.URL+"/v1/api-keys", "application/json", strings.NewReader(`{}`))
			if err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("the request after a one-off fault: %v", err)
			}
			resp.Body.Close()
			if log := p.Requests(); len(log) != 2 || log[0].Fault != tc.fault.Name || log[1].Fault != "" {
				t.Errorf("request log %+v", log)
			}
		})
	}
}

func TestFaultProxyRateIsSeededAndPatternBound(t *testing.T) {
	srv, _ := committingServer(t)
	run := func(seed uint64) string {
		p := NewFaultProxy(t, srv.URL, seed)
		rule := &FaultRule{Pattern: "POST /v1/api-keys/{id}/rotate", Fault: Status503, Rate: 0.3}
		p.Set(rule)
		var pattern strings.Builder
		for range 200 {
			resp, err := http.Post(p.URL+"/v1/api-keys/k1/rotate", "application/json", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			pattern.WriteByte(map[bool]byte{true: 'x', false: '.'}[resp.StatusCode == http.StatusServiceUnavailable])
		}
		if n := rule.Injected(); n < 35 || n > 85 {
			t.Errorf("seed %d: %d of 200 requests faulted at 30%%", seed, n)
		}
		// Other routes are untouched.
		resp, err := http.Post(p.URL+"/v1/api-keys", "application/json", nil)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("a request outside the pattern: %v", err)
		}
		resp.Body.Close()
		return pattern.String()
	}
	if a, b := run(7), run(7); a != b {
		t.Errorf("the same seed faulted different requests:\n%s\n%s", a, b)
	}
	if a, b := run(7), run(8); a == b {
		t.Error("two seeds faulted the same requests")
	}
}
