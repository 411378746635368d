package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// asKeyserviced makes the test binary run keyserviced's main instead of the tests: the tests
// below start it as a real process, to kill it.
const asKeyserviced = "KEYSERVICED_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asKeyserviced) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is keyserviced running as a child process of the test.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	log    *bytes.Buffer
}

func startKeyserviced(t *testing.T, addr string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--listen", addr, "--log-level", "debug"}, args...)...)
	cmd.Env = append(os.Environ(), append(env, asKeyserviced+"=1")...)
	p := &process{cmd: cmd, exited: make(chan struct{}), log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: p.log}, &lockedWriter{w: p.log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("keyserviced exited at start")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("keyserviced not ready after 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the process as a crash would: SIGKILL, no shutdown, nothing flushed.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends it as an operator would: SIGTERM, and waits for the graceful shutdown.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	if !p.cmd.ProcessState.Success() {
		t.Fatalf("keyserviced exited with %v", p.cmd.ProcessState)
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// eventCounter is an events webhook that verifies signatures and counts each event id.
type eventCounter struct {
	mu     sync.Mutex
	secret string
	byID   map[string]int
	bad    int
}

func (c *eventCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	m := hmac.New(sha256.New, []byte(c.secret))
	m.Write([]byte(r.Header.Get("X-Keyservice-Timestamp") + "." + string(body)))
	var ev struct{ ID string }
	if json.Unmarshal(body, &ev) != nil || ev.ID != r.Header.Get("X-Keyservice-Event-Id") ||
		!hmac.Equal([]byte(r.Header.Get("X-Keyservice-Signature")), []byte("v1="+hex.EncodeToString(m.Sum(nil)))) {
		c.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	c.byID[ev.ID]++
	w.WriteHeader(http.StatusNoContent)
}

func (c *eventCounter) counts() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.byID {
		out[k] = v
	}
	return out, c.bad
}

// TestOutboxSurvivesAKilledServer: events written by a server that is killed (SIGKILL) before
// it delivers them are delivered by the next server on the same database, each once.
func TestOutboxSurvivesAKilledServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := []string{
		"KEYSERVICE_ADMIN_TOKEN=admin-token-for-the-outbox-test",
		"KEYSERVICE_SERVER_SECRET=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"KEYSERVICE_DATABASE=" + filepath.Join(t.TempDir(), "ks.db"),
	}
	counter := &eventCounter{byID: map[string]int{}}
	receiver := httptest.NewServer(counter)
	defer receiver.Close()

	// The first server delivers nothing: it only writes the events, and dies.
	first := startKeyserviced(t, addr, env, "--events-delivery-interval", "0")
	call := func(method, path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, "http://"+addr+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer admin-token-for-the-outbox-test")
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, m)
		}
		return m
	}
	p := call("POST", "/v1/projects", map[string]any{"name": "crashy", "events_webhook_url": receiver.URL})
	counter.mu.Lock()
	counter.secret = p["webhook_signing_secret"].(string)
	counter.mu.Unlock()
	pid := p["id"].(string)
	var last string
	for _, name := range []string{"a", "b", "c"} {
		last = call("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": name})["id"].(string)
	}
	call("DELETE", "/v1/api-keys/"+last, nil)
	first.kill()
	if got, _ := counter.counts(); len(got) != 0 {
		t.Fatalf("events delivered before the crash: %v", got)
	}

	second := startKeyserviced(t, addr, env, "--events-delivery-interval", "50ms")
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _ := counter.counts()
		if len(got) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, %d of 4 events delivered; log:\n%s", len(got), second.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	second.stop(t)
	got, bad := counter.counts()
	if bad != 0 {
		t.Errorf("%d deliveries with a bad signature or id", bad)
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
}
