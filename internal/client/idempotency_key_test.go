package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestWithIdempotencyKeyIsSentOnEveryAttemptAndAcrossCalls(t *testing.T) {
	srv := newFakeServer(t, dropConnection, respond(http.StatusCreated, createdKeyJSON), respond(http.StatusCreated, createdKeyJSON))
	c := newTestClient(t, srv.URL)
	ctx := WithIdempotencyKey(t.Context(), "recorded-key")
	for range 2 {
		if _, err := c.CreateAPIKey(ctx, CreateAPIKeyRequest{ProjectID: "p", Name: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.recorded()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if got := r.header.Get("Idempotency-Key"); got != "recorded-key" {
			t.Errorf("request %d: Idempotency-Key %q", i, got)
		}
	}
}

func TestMayHaveApplied(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"nil":        {nil, false},
		"connection": {errors.New("connection reset"), true},
		"deadline":   {context.DeadlineExceeded, true},
		"502":        {&APIError{StatusCode: 502}, true},
		"500":        {&APIError{StatusCode: 500}, true},
		"409":        {&APIError{StatusCode: 409}, false},
		"400":        {&APIError{StatusCode: 400}, false},
		"429":        {&APIError{StatusCode: 429}, false},
	}
	for name, tc := range cases {
		if got := MayHaveApplied(tc.err); got != tc.want {
			t.Errorf("%s: MayHaveApplied = %t, want %t", name, got, tc.want)
		}
	}
}

// A 4xx that answers a retry may be the consequence of the first attempt: a create applied
// whose answer was lost, retried without its replay record, meets its own key's name.
func TestMayHaveAppliedAfterAnUncertainAttempt(t *testing.T) {
	conflict := respond(http.StatusConflict, `{"error":{"code":"conflict","message":"name taken","field":"name"}}`)
	for name, tc := range map[string]struct {
		handlers []func(http.ResponseWriter, *http.Request)
		want     bool
	}{
		"409 at once":          {[]func(http.ResponseWriter, *http.Request){conflict}, false},
		"409 after a drop":     {[]func(http.ResponseWriter, *http.Request){dropConnection, conflict}, true},
		"409 after a 502":      {[]func(http.ResponseWriter, *http.Request){respond(http.StatusBadGateway, ""), conflict}, true},
		"409 after a 429 only": {[]func(http.ResponseWriter, *http.Request){respond(http.StatusTooManyRequests, "", "Retry-After", "0"), conflict}, false},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, tc.handlers...)
			_, err := newTestClient(t, srv.URL).CreateAPIKey(t.Context(), CreateAPIKeyRequest{ProjectID: "p", Name: "n"})
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("err = %v, want a conflict", err)
			}
			if got := MayHaveApplied(err); got != tc.want {
				t.Errorf("MayHaveApplied = %t, want %t", got, tc.want)
			}
		})
	}
}
