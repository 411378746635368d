package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRefusesWithoutAdminToken(t *testing.T) {
	err := run(context.Background(), []string{"--database", filepath.Join(t.TempDir(), "db")},
		envFrom(map[string]string{"KEYSERVICE_SERVER_SECRET": base64.StdEncoding.EncodeToString(make([]byte, 32))}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "KEYSERVICE_ADMIN_TOKEN") {
		t.Fatalf("err = %v, want refusal naming KEYSERVICE_ADMIN_TOKEN", err)
	}
}

func TestRefusesBadConfiguration(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no secret", []string{"--database", db}, map[string]string{"KEYSERVICE_ADMIN_TOKEN": "t"}, "KEYSERVICE_SERVER_SECRET"},
		{"short secret", []string{"--database", db}, map[string]string{"KEYSERVICE_ADMIN_TOKEN": "t",
			"KEYSERVICE_SERVER_SECRET": base64.StdEncoding.EncodeToString(make([]byte, 16))}, "at least 32"},
		{"unreachable postgres", []string{"--dev", "--database", "postgres://ks:hunter2@127.0.0.1:1/ks?connect_timeout=5"}, nil, "open database"},
		{"log level", []string{"--dev", "--log-level", "loud"}, nil, "log level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, envFrom(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("err leaks the database password: %v", err)
			}
		})
	}
}

// TestDevModeServes starts the real command on a free port, reads the
// listening address from its log and the generated admin token from stderr,
// and uses both.
func TestDevModeServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--dev", "--listen", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "ks.db")},
			envFrom(nil), pw)
		pw.Close()
	}()

	var addr, token string
	lines := bufio.NewScanner(pr)
	deadline := time.AfterFunc(10*time.Second, func() { pr.CloseWithError(io.ErrClosedPipe) })
	for addr == "" && lines.Scan() {
		line := lines.Text()
		if rest, ok := strings.CutPrefix(line, "dev mode: generated admin token (shown once): "); ok {
			token = rest
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "listening" {
			addr, _ = m["addr"].(string)
		}
	}
	deadline.Stop()
	go func() { _, _ = io.Copy(io.Discard, pr) }() // keep draining logs
	if addr == "" || token == "" {
		t.Fatalf("did not see listen address (%q) and token (%q)", addr, token)
	}

	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/projects", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/v1/projects with the printed token = %d", res.StatusCode)
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

func TestDevModeUsesGivenSecret(t *testing.T) {
	secret := make([]byte, 40)
	for i := range secret {
		secret[i] = byte(i)
	}
	var out strings.Builder
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	tok, got, err := credentials(true, envFrom(map[string]string{
		"KEYSERVICE_SERVER_SECRET": base64.StdEncoding.EncodeToString(secret),
		"KEYSERVICE_ADMIN_TOKEN":   "given",
	}), &out, logger)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "given" || string(got) != string(secret) {
		t.Fatal("--dev ignored the configured token or secret")
	}
	if out.Len() != 0 {
		t.Fatalf("unexpected output: %s", out.String())
	}
}
