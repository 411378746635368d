package acctest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// A Workspace runs the real CLI, with the provider binary built from this tree through
// dev_overrides, in a directory of its own: the way CI jobs and users run plan and apply,
// exit codes included, where terraform-plugin-testing's steps cannot reach
// (`plan -detailed-exitcode`, `plan -refresh-only`).
type Workspace struct {
	t   testing.TB
	Dir string
	cli string
	env []string
}

var providerBuild struct {
	once sync.Once
	dir  string
	err  error
}

// ProviderBinaryDir builds terraform-provider-keyservice once per test process and returns
// the directory that holds it.
func ProviderBinaryDir(t testing.TB) string {
	t.Helper()
	providerBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "keyservice-provider-") //nolint:usetesting // built once per process, shared by every test: no single t owns it
		if err != nil {
			providerBuild.err = err
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-keyservice"), ".")
		build.Dir = repoRoot()
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			providerBuild.err = errors.New("go build of the provider: " + err.Error() + "\n" + string(out))
		}
		providerBuild.dir = dir
	})
	if providerBuild.err != nil {
		t.Fatal(providerBuild.err)
	}
	return providerBuild.dir
}

// DevOverridesConfig writes a CLI configuration that takes keyservice/keyservice from dir.
func DevOverridesConfig(t testing.TB, dir string) string {
	t.Helper()
	rc := filepath.Join(t.TempDir(), "terraformrc")
	overrides := "provider_installation {\n  dev_overrides {\n    \"keyservice/keyservice\" = " +
		strconv.Quote(dir) + "\n  }\n  direct {}\n}\n"
	if err := os.WriteFile(rc, []byte(overrides), 0o600); err != nil {
		t.Fatal(err)
	}
	return rc
}

// NewWorkspace makes a workspace whose provider talks to s through KEYSERVICE_ENDPOINT and
// KEYSERVICE_TOKEN, as a CI job would.
func (s *Server) NewWorkspace(t testing.TB) *Workspace {
	t.Helper()
	rc := DevOverridesConfig(t, ProviderBinaryDir(t))
	return &Workspace{
		t:   t,
		Dir: t.TempDir(),
		cli: os.Getenv("TF_ACC_TERRAFORM_PATH"),
		env: append(os.Environ(),
			"TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
			"KEYSERVICE_ENDPOINT="+s.URL, "KEYSERVICE_TOKEN="+s.AdminToken),
	}
}

// Write replaces the workspace's configuration with config (main.tf).
func (w *Workspace) Write(config string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// Run runs the CLI with args and returns its exit code and combined output.
func (w *Workspace) Run(args ...string) (int, string) {
	w.t.Helper()
	cmd := exec.Command(w.cli, append(args[:1:1], append([]string{"-no-color"}, args[1:]...)...)...)
	cmd.Dir = w.Dir
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	default:
		w.t.Fatalf("run %s %v: %v", w.cli, args, err)
		return -1, ""
	}
}

// MustRun runs the CLI and fails the test unless it exits 0.
func (w *Workspace) MustRun(args ...string) string {
	w.t.Helper()
	code, out := w.Run(args...)
	if code != 0 {
		w.t.Fatalf("%v exited %d:\n%s", args, code, out)
	}
	return out
}

// repoRoot is the module root, found from this source file's package directory.
func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}
