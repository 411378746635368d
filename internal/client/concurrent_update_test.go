package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

const preconditionFailedJSON = `{"error":{"code":"precondition_failed","message":"the key changed since the ETag in If-Match","field":"If-Match"}}`

func TestUpdateAPIKeySendsIfMatchAndReturnsTheNewETag(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusOK, `{"id":"k1","name":"b"}`, "ETag", `"k1.8"`))
	c := newTestClient(t, srv.URL)
	name := "b"
	k, err := c.UpdateAPIKey(t.Context(), "k1", UpdateAPIKeyRequest{Name: &name, IfMatch: `"k1.7"`})
	if err != nil {
		t.Fatal(err)
	}
	if k.ETag != `"k1.8"` {
		t.Errorf("ETag = %q", k.ETag)
	}
	req := srv.recorded()[0]
	if got := req.header.Get("If-Match"); got != `"k1.7"` {
		t.Errorf("If-Match = %q", got)
	}
	if strings.Contains(req.body, "IfMatch") || strings.Contains(req.body, "k1.7") {
		t.Errorf("the precondition leaked into the patch: %s", req.body)
	}
}

func TestGetAPIKeyReturnsTheETag(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusOK, `{"id":"k1"}`, "ETag", `"k1.3"`))
	k, err := newTestClient(t, srv.URL).GetAPIKey(t.Context(), "k1")
	if err != nil || k.ETag != `"k1.3"` {
		t.Fatalf("GetAPIKey = %+v, %v", k, err)
	}
}

// A stale If-Match on the first attempt is someone else's change: the error says so and
// carries the key as it is now.
func TestUpdateAPIKeyStaleETagIsAConcurrentUpdate(t *testing.T) {
	srv := newFakeServer(t,
		respond(http.StatusPreconditionFailed, preconditionFailedJSON),
		respond(http.StatusOK, `{"id":"k1","name":"theirs","description":""}`, "ETag", `"k1.9"`))
	c := newTestClient(t, srv.URL)
	name := "mine"
	_, err := c.UpdateAPIKey(t.Context(), "k1", UpdateAPIKeyRequest{Name: &name, IfMatch: `"k1.7"`})
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("err = %v, want ErrPreconditionFailed", err)
	}
	var cu *ConcurrentUpdateError
	if !errors.As(err, &cu) || cu.Current.Name != "theirs" || cu.Current.ETag != `"k1.9"` {
		t.Fatalf("err = %#v, want a ConcurrentUpdateError with the re-read key", err)
	}
	if reqs := srv.recorded(); len(reqs) != 2 || reqs[1].method != http.MethodGet {
		t.Errorf("want PATCH then GET, got %d requests", len(reqs))
	}
}

// The first attempt was applied but its answer lost (502 from a gateway); the retry carries the
// same, now stale, If-Match and gets 412. The re-read shows the patch applied: success.
func TestUpdateAPIKeyRetryOfAnAppliedPatchSucceeds(t *testing.T) {
	srv := newFakeServer(t,
		respond(http.StatusBadGateway, "gateway lost the answer"),
		respond(http.StatusPreconditionFailed, preconditionFailedJSON),
		respond(http.StatusOK, `{"id":"k1","name":"mine","description":"d","scopes":["b","a"],"active":false,"expires_at":null}`, "ETag", `"k1.8"`))
	c := newTestClient(t, srv.URL)
	name, desc, active, scopes := "mine", "d", false, []string{"a", "b"}
	k, err := c.UpdateAPIKey(t.Context(), "k1", UpdateAPIKeyRequest{
		Name: &name, Description: &desc, Active: &active, Scopes: &scopes, ClearExpiresAt: true, IfMatch: `"k1.7"`,
	})
	if err != nil {
		t.Fatalf("UpdateAPIKey: %v", err)
	}
	if k.ETag != `"k1.8"` || k.Name != "mine" {
		t.Errorf("got %+v", k)
	}
}

// The same retry, but the re-read shows a different value: a concurrent writer won.
func TestUpdateAPIKeyRetryThatLostTheRaceIsAConcurrentUpdate(t *testing.T) {
	srv := newFakeServer(t,
		dropConnection,
		respond(http.StatusPreconditionFailed, preconditionFailedJSON),
		respond(http.StatusOK, `{"id":"k1","name":"theirs"}`, "ETag", `"k1.9"`))
	c := newTestClient(t, srv.URL)
	name := "mine"
	_, err := c.UpdateAPIKey(t.Context(), "k1", UpdateAPIKeyRequest{Name: &name, IfMatch: `"k1.7"`})
	var cu *ConcurrentUpdateError
	if !errors.As(err, &cu) {
		t.Fatalf("err = %v, want a ConcurrentUpdateError", err)
	}
}

// An error body that echoes the request must not put the token into a diagnostic.
func TestAPIErrorsNeverCarryTheCredentials(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"code":"validation_failed","message":"echo: ` + r.Header.Get("Authorization") + ` otp ` + r.Header.Get("X-Keyservice-Otp") + `"}}`))
	})
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.OTP = "123456" })
	_, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{ProjectID: "p", Name: "n"})
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "123456") {
		t.Fatalf("error %q carries a credential", err)
	}
	if !strings.Contains(err.Error(), "echo: Bearer "+redacted) {
		t.Fatalf("error %q lost the message", err)
	}
}

func TestPatchApplied(t *testing.T) {
	name, days := "n", int64(3)
	k := &APIKey{Name: "n", Scopes: []string{"a"}, RotationIntervalDays: &days}
	cases := []struct {
		req  UpdateAPIKeyRequest
		want bool
	}{
		{UpdateAPIKeyRequest{}, true},
		{UpdateAPIKeyRequest{Name: &name}, true},
		{UpdateAPIKeyRequest{Scopes: &[]string{"a", "a"}}, true},
		{UpdateAPIKeyRequest{Scopes: &[]string{"b"}}, false},
		{UpdateAPIKeyRequest{ClearExpiresAt: true}, true},
		{UpdateAPIKeyRequest{ClearRotationIntervalDays: true}, false},
		{UpdateAPIKeyRequest{RotationIntervalDays: &days}, true},
	}
	for i, tc := range cases {
		if got := patchApplied(tc.req, k); got != tc.want {
			t.Errorf("case %d: patchApplied = %t, want %t", i, got, tc.want)
		}
	}
}
