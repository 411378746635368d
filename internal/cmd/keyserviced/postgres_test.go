package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres/postgrestest"
)

// TestPostgresServes runs the command with KEYSERVICE_DATABASE set to a
// postgres:// URL: it migrates the empty database, serves, is ready, stores,
// and writes the last_used_at of a verification before it stops.
func TestPostgresServes(t *testing.T) {
	dsn := postgrestest.NewSchema(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	env := map[string]string{
		"KEYSERVICE_ADMIN_TOKEN":   "admin-token-for-postgres-test",
		"KEYSERVICE_SERVER_SECRET": base64.StdEncoding.EncodeToString(make([]byte, 32)),
		"KEYSERVICE_DATABASE":      dsn,
	}
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0"}, envFrom(env), pw)
		pw.Close()
	}()

	var addr string
	lines := bufio.NewScanner(pr)
	deadline := time.AfterFunc(30*time.Second, func() { pr.CloseWithError(io.ErrClosedPipe) })
	for addr == "" && lines.Scan() {
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["msg"] == "listening" {
			addr, _ = m["addr"].(string)
		}
	}
	deadline.Stop()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if addr == "" {
		cancel()
		t.Fatalf("keyserviced on PostgreSQL did not start: %v", <-done)
	}

	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz = %d", res.StatusCode)
	}
	post := func(path, token string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(b))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		if res.StatusCode/100 != 2 || json.NewDecoder(res.Body).Decode(&out) != nil {
			t.Fatalf("POST %s = %d", path, res.StatusCode)
		}
		return out
	}
	admin := env["KEYSERVICE_ADMIN_TOKEN"]
	project := post("/v1/projects", admin, map[string]any{"name": "pg"})
	key := post("/v1/api-keys", admin, map[string]any{"project_id": project["id"], "name": "k"})
	post("/v1/verify", "", map[string]any{"key": key["key"]})

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no graceful shutdown")
	}

	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := st.GetAPIKey(context.Background(), key["id"].(string))
	if err != nil || k.LastUsedAt == nil {
		t.Fatalf("last_used_at of the verified key after shutdown: %v, %v", k.LastUsedAt, err)
	}
}
