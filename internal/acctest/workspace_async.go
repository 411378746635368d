package acctest

import (
	"errors"
	"os/exec"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// Start runs the CLI with args in the background, for tests that act while it runs (kill the
// server mid-apply). The returned func waits for it and returns its exit code and output.
func (w *Workspace) Start(args ...string) func() (int, string) {
	w.t.Helper()
	cmd := exec.Command(w.cli, append(args[:1:1], append([]string{"-no-color"}, args[1:]...)...)...)
	cmd.Dir = w.Dir
	cmd.Env = w.env
	var out keyservicetest.SyncBuffer
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
