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
