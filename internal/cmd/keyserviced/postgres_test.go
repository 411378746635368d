package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres/postgrestest"
)

// TestPostgresServes runs the command with --database set to a postgres://
// URL: it migrates the empty database, serves, is ready, and stores.
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
	go io.Copy(io.Discard, pr)
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
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/projects", strings.NewReader(`{"name":"pg"}`))
	req.Header.Set("Authorization", "Bearer "+env["KEYSERVICE_ADMIN_TOKEN"])
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/projects = %d", res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no graceful shutdown")
	}
}
