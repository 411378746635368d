package acctest

import (
	"bytes"
	"errors"
	"os/exec"
	"sync"
)

// Start runs the CLI with args in the background, for tests that act while it runs (kill the
// server mid-apply). The returned func waits for it and returns its exit code and output.
func (w *Workspace) Start(args ...string) func() (int, string) {
	w.t.Helper()
	cmd := exec.Command(w.cli, append(args[:1:1], append([]string{"-no-color"}, args[1:]...)...)...)
	cmd.Dir = w.Dir
	cmd.Env = w.env
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("start %s %v: %v", w.cli, args, err)
	}
	return func() (int, string) {
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, out.String()
		case errors.As(err, &exit):
			return exit.ExitCode(), out.String()
		default:
			w.t.Fatalf("run %s %v: %v", w.cli, args, err)
			return -1, ""
		}
	}
}

// Setenv sets an environment variable of the workspace's CLI runs (and so of its provider).
func (w *Workspace) Setenv(name, value string) {
	w.env = append(w.env, name+"="+value)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
