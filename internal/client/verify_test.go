package client

import (
	"errors"
	"net/http"
	"testing"
)

func TestVerify(t *testing.T) {
	const key = "ks_verifysecretQQQQ"
	srv := newFakeServer(t,
		respond(http.StatusOK, `{"id":"k1","project_id":"p1","scopes":["read"],"expires_at":null}`),
		respond(http.StatusUnauthorized, `{"error":{"code":"unauthorized","message":"key is not usable"}}`))
	c := newTestClient(t, srv.URL)

	res, err := c.Verify(t.Context(), key)
	if err != nil || res.ID != "k1" || res.ProjectID != "p1" || len(res.Scopes) != 1 || res.ExpiresAt != nil {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	r := srv.recorded()[0]
	if r.method != http.MethodPost || r.path != "/v1/verify" || r.body != `{"key":"`+key+`"}` {
		t.Errorf("request = %s %s %s", r.method, r.path, r.body)
	}
	if r.header.Get("Authorization") != "" {
		t.Error("Verify must not send the client's token along with the key being checked")
	}

	_, err = c.Verify(t.Context(), key)
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("err = %v, want ErrUnauthorized", err)
	}
	if got := len(srv.recorded()); got != 2 {
		t.Errorf("a 401 was retried: %d requests", got)
	}
}
