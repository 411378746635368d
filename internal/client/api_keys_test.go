package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestListAllAPIKeysFollowsPages(t *testing.T) {
	page := func(token string, ids ...string) func(http.ResponseWriter, *http.Request) {
		items := make([]string, len(ids))
		for i, id := range ids {
			items[i] = fmt.Sprintf(`{"id":%q,"project_id":"p1","name":"n-%s"}`, id, id)
		}
		return respond(http.StatusOK, fmt.Sprintf(`{"items":[%s],"next_page_token":%q}`, strings.Join(items, ","), token))
	}
	srv := newFakeServer(t, page("t2", "a", "b"), page("t3", "c"), page("", "d", "e"))
	c := newTestClient(t, srv.URL)

	active := true
	keys, err := c.ListAllAPIKeys(t.Context(), ListAPIKeysOptions{ProjectID: "p1", Active: &active, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	if got := strings.Join(ids, ","); got != "a,b,c,d,e" {
		t.Errorf("ids = %s, want a,b,c,d,e", got)
	}
	reqs := srv.recorded()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(reqs))
	}
	for i, wantToken := range []string{"", "t2", "t3"} {
		q, _ := url.ParseQuery(reqs[i].query)
		if q.Get("page_token") != wantToken || q.Get("project_id") != "p1" || q.Get("active") != "true" || q.Get("page_size") != "2" {
			t.Errorf("request %d query = %s", i+1, reqs[i].query)
		}
	}
}

func TestListAllAPIKeysStopsOnARepeatedToken(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusOK, `{"items":[{"id":"a"}],"next_page_token":"same"}`))
	c := newTestClient(t, srv.URL)
	if _, err := c.ListAllAPIKeys(t.Context(), ListAPIKeysOptions{ProjectID: "p1"}); err == nil {
		t.Fatal("want an error for a server that repeats a page token")
	}
	if got := len(srv.recorded()); got != 2 {
		t.Errorf("server saw %d requests, want 2", got)
	}
}

func TestListAPIKeysQuery(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusOK, `{"items":[]}`))
	c := newTestClient(t, srv.URL)
	inactive := false
	before := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	_, err := c.ListAPIKeys(t.Context(), ListAPIKeysOptions{
		ProjectID: "p1", ServiceAccountID: "sa1", EnvironmentID: "e1", Name: "a b", NamePrefix: "ci-",
		Scope: "keys:read", Active: &inactive, IncludeRevoked: true, ExpiresBefore: &before,
		SortBy: "created_at", PageSize: 50, PageToken: "tok",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := url.ParseQuery(srv.recorded()[0].query)
	want := url.Values{
		"project_id": {"p1"}, "service_account_id": {"sa1"}, "environment_id": {"e1"}, "name": {"a b"},
		"name_prefix": {"ci-"}, "scope": {"keys:read"}, "active": {"false"}, "include_revoked": {"true"},
		"expires_before": {"2030-01-02T02:04:05Z"}, "sort_by": {"created_at"}, "page_size": {"50"}, "page_token": {"tok"},
	}
	if got.Encode() != want.Encode() {
		t.Errorf("query\n got %s\nwant %s", got.Encode(), want.Encode())
	}

	_, _ = c.ListAPIKeys(t.Context(), ListAPIKeysOptions{ProjectID: "p1"})
	if q := srv.recorded()[1].query; q != "project_id=p1" {
		t.Errorf("zero options should filter nothing, query = %s", q)
	}
}

func TestFindAPIKeyByName(t *testing.T) {
	srv := newFakeServer(t,
		respond(http.StatusOK, `{"items":[{"id":"old","project_id":"p1","name":"ci","replaced_by_key_id":"k2"},{"id":"k2","project_id":"p1","name":"ci"}]}`),
		respond(http.StatusOK, `{"items":[]}`))
	c := newTestClient(t, srv.URL)

	k, err := c.FindAPIKeyByName(t.Context(), "p1", "ci")
	if err != nil || k.ID != "k2" {
		t.Fatalf("FindAPIKeyByName = %v, %v; want the live key k2", k, err)
	}
	if q, _ := url.ParseQuery(srv.recorded()[0].query); q.Get("name") != "ci" || q.Get("project_id") != "p1" {
		t.Errorf("query = %v", q)
	}

	_, err = c.FindAPIKeyByName(t.Context(), "p1", "missing")
	var apiErr *APIError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, `"missing"`) {
		t.Errorf("err = %v, want ErrNotFound naming the key", err)
	}
}

func TestUpdateAPIKeyRequestMarshal(t *testing.T) {
	when := time.Date(2030, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	name, empty := "new", ""
	days := int64(30)
	hook := "https://hooks.example.com/rotate"
	off := false
	var nilScopes []string
	tests := map[string]struct {
		req  UpdateAPIKeyRequest
		want string
	}{
		"nothing":            {UpdateAPIKeyRequest{}, `{}`},
		"name only":          {UpdateAPIKeyRequest{Name: &name}, `{"name":"new"}`},
		"empty description":  {UpdateAPIKeyRequest{Description: &empty}, `{"description":""}`},
		"disable":            {UpdateAPIKeyRequest{Active: &off}, `{"active":false}`},
		"scopes":             {UpdateAPIKeyRequest{Scopes: &[]string{"a", "b"}}, `{"scopes":["a","b"]}`},
		"clear scopes":       {UpdateAPIKeyRequest{Scopes: &nilScopes}, `{"scopes":[]}`},
		"expires in UTC":     {UpdateAPIKeyRequest{ExpiresAt: &when}, `{"expires_at":"2030-06-01T10:00:00Z"}`},
		"clear expiry":       {UpdateAPIKeyRequest{ClearExpiresAt: true}, `{"expires_at":null}`},
		"rotation set":       {UpdateAPIKeyRequest{RotationIntervalDays: &days, RotationWebhookURL: &hook}, `{"rotation_interval_days":30,"rotation_webhook_url":"https://hooks.example.com/rotate"}`},
		"rotation cleared":   {UpdateAPIKeyRequest{ClearRotationIntervalDays: true, ClearRotationWebhookURL: true}, `{"rotation_interval_days":null,"rotation_webhook_url":null}`},
		"pointer marshalled": {UpdateAPIKeyRequest{Name: &name, ClearExpiresAt: true}, `{"expires_at":null,"name":"new"}`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := json.Marshal(&tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}

	if _, err := json.Marshal(UpdateAPIKeyRequest{ExpiresAt: &when, ClearExpiresAt: true}); err == nil {
		t.Error("setting and clearing expires_at at once should fail")
	}
}

func TestUpdateAPIKeySendsPatch(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusOK, `{"id":"k1","name":"new"}`))
	c := newTestClient(t, srv.URL)
	name := "new"
	if _, err := c.UpdateAPIKey(t.Context(), "k1", UpdateAPIKeyRequest{Name: &name, ClearExpiresAt: true}); err != nil {
		t.Fatal(err)
	}
	r := srv.recorded()[0]
	if r.method != http.MethodPatch || r.path != "/v1/api-keys/k1" || r.header.Get("Content-Type") != "application/json" ||
		r.body != `{"expires_at":null,"name":"new"}` {
		t.Errorf("got %s %s %q %s", r.method, r.path, r.header.Get("Content-Type"), r.body)
	}
}

func TestAPIKeyEndpoints(t *testing.T) {
	grace := "2030-01-01T00:00:00Z"
	rotated := `{"id":"k2","name":"ci","key":"ks_newsecretXXXXYYYY","previous_key_id":"k1","previous_key_grace_expires_at":"` + grace + `"}`
	srv := newFakeServer(t,
		respond(http.StatusOK, rotated),
		respond(http.StatusNoContent, ""),
		respond(http.StatusOK, `{"revoked":2}`))
	c := newTestClient(t, srv.URL)
	ctx := t.Context()

	k, err := c.RotateAPIKey(ctx, "k1", RotateAPIKeyRequest{GracePeriodSeconds: 3600})
	if err != nil {
		t.Fatal(err)
	}
	if k.Key != "ks_newsecretXXXXYYYY" || k.PreviousKeyID == nil || *k.PreviousKeyID != "k1" ||
		k.PreviousKeyGraceExpiresAt == nil || k.PreviousKeyGraceExpiresAt.Format(time.RFC3339) != grace {
		t.Errorf("rotate = %+v", k)
	}
	if err := c.RevokeAPIKey(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeAPIKeys(ctx, []string{"k1", "k2"}); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeAPIKeys(ctx, nil); err != nil {
		t.Fatal(err)
	}

	reqs := srv.recorded()
	want := []struct{ method, path, body string }{
		{"POST", "/v1/api-keys/k1/rotate", `{"grace_period_seconds":3600}`},
		{"DELETE", "/v1/api-keys/k1", ``},
		{"POST", "/v1/api-keys/revoke", `{"ids":["k1","k2"]}`},
	}
	if len(reqs) != len(want) {
		t.Fatalf("server saw %d requests, want %d (revoking no ids sends nothing)", len(reqs), len(want))
	}
	for i, w := range want {
		if reqs[i].method != w.method || reqs[i].path != w.path || reqs[i].body != w.body {
			t.Errorf("request %d = %s %s %s, want %s %s %s", i+1, reqs[i].method, reqs[i].path, reqs[i].body, w.method, w.path, w.body)
		}
	}
}

func TestRevokeMissingKeyIsNotFound(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusNotFound, `{"error":{"code":"not_found","message":"no such key"}}`))
	c := newTestClient(t, srv.URL)
	if err := c.RevokeAPIKey(t.Context(), "gone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestCreateAPIKeyBody(t *testing.T) {
	srv := newFakeServer(t, respond(http.StatusCreated, createdKeyJSON))
	c := newTestClient(t, srv.URL)
	when := time.Date(2030, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	if _, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{ProjectID: "p1", Name: "ci", Scopes: []string{"read"}, ExpiresAt: &when}); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.recorded()[0].body, `{"project_id":"p1","name":"ci","scopes":["read"],"expires_at":"2030-06-01T10:00:00Z"}`; got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestAPIKeyPrintingNeverShowsTheSecret(t *testing.T) {
	const secret = "ks_printedsecretZZZZ"
	k := APIKey{ID: "k1", Name: "ci", Key: secret, KeyPrefix: "ks_printedse"}
	list := APIKeyList{Items: []APIKey{k}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{k, &k, list, &list} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) {
				t.Errorf("fmt %s of %T prints the secret: %s", verb, v, out)
			}
		}
	}
	if out := k.String(); !strings.Contains(out, `"k1"`) || !strings.Contains(out, redacted) {
		t.Errorf("String() = %s, want the id and a redaction marker", out)
	}
}
