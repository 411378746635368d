package acctest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// Process is keyserviced running as an operating-system process on a SQLite file, for tests
// that kill the server mid-request (SIGKILL: no shutdown, no flush) and start it again on the
// same file and address, as a crash and a supervisor's restart would.
type Process struct {
	URL        string
	AdminToken string
	DBPath     string
	// Client talks to the process with the admin token, without retries.
	Client *client.Client

	t      testing.TB
	addr   string
	secret string
	cmd    *exec.Cmd
	exited chan struct{}

	logMu sync.Mutex
	log   bytes.Buffer
}

var keyservicedBuild struct {
	once sync.Once
	path string
	err  error
}

// keyservicedBinary builds internal/cmd/keyserviced once per test process.
func keyservicedBinary(t testing.TB) string {
	t.Helper()
	keyservicedBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "keyserviced-") //nolint:usetesting // built once per process, shared by every test: no single t owns it
		if err != nil {
			keyservicedBuild.err = err
			return
		}
		keyservicedBuild.path = filepath.Join(dir, "keyserviced")
		build := exec.Command("go", "build", "-o", keyservicedBuild.path, "./internal/cmd/keyserviced")
		build.Dir = repoRoot()
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			keyservicedBuild.err = errors.New("go build of keyserviced: " + err.Error() + "\n" + string(out))
		}
	})
	if keyservicedBuild.err != nil {
		t.Fatal(keyservicedBuild.err)
	}
	return keyservicedBuild.path
}

// StartProcess starts keyserviced on a free loopback port and a new database file; it is
// killed at cleanup. It skips the test unless TF_ACC is set.
func StartProcess(t testing.TB) *Process {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it (make test does)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	p := &Process{
		URL:        "http://" + addr,
		AdminToken: "ksadmin-" + randomHex(t, 24),
		DBPath:     filepath.Join(t.TempDir(), "keyservice.db"),
		t:          t,
		addr:       addr,
		secret:     base64.StdEncoding.EncodeToString(secret),
	}
	p.Client, err = client.New(client.Config{Endpoint: p.URL, Token: p.AdminToken, MaxRetries: new(0)})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(func() {
		if p.cmd != nil {
			p.Kill()
		}
	})
	return p
}

// Start runs keyserviced (again) on the same address and file and waits until it is ready.
func (p *Process) Start() {
	p.t.Helper()
	cmd := exec.Command(keyservicedBinary(p.t), "--listen", p.addr, "--database", p.DBPath, "--log-level", "debug")
	cmd.Env = append(os.Environ(), "KEYSERVICE_ADMIN_TOKEN="+p.AdminToken, "KEYSERVICE_SERVER_SECRET="+p.secret)
	cmd.Stdout, cmd.Stderr = p.logWriter(), p.logWriter()
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start keyserviced: %v", err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(p.exited)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			p.t.Fatalf("keyserviced exited at start:\n%s", p.Log())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("keyserviced not ready after 30s:\n%s", p.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it to be gone.
func (p *Process) Kill() {
	p.t.Helper()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	p.cmd = nil
}

// Log returns what every run of the process wrote (JSON log lines, debug level).
func (p *Process) Log() string {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	return p.log.String()
}

type processLog struct{ p *Process }

func (w processLog) Write(b []byte) (int, error) {
	w.p.logMu.Lock()
	defer w.p.logMu.Unlock()
	return w.p.log.Write(b)
}

func (p *Process) logWriter() processLog { return processLog{p} }

// NewWorkspace makes a CLI workspace whose provider talks to the process.
func (p *Process) NewWorkspace(t testing.TB) *Workspace {
	t.Helper()
	rc := DevOverridesConfig(t, ProviderBinaryDir(t))
	return &Workspace{
		t:   t,
		Dir: t.TempDir(),
		cli: os.Getenv("TF_ACC_TERRAFORM_PATH"),
		env: append(os.Environ(),
			"TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
			"KEYSERVICE_ENDPOINT="+p.URL, "KEYSERVICE_TOKEN="+p.AdminToken),
	}
}
