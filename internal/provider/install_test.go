package provider_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// TestAccInstall_readmeConfiguration does what the README tells a new user: `make install`, then
// `init` of the README's configuration, which names the provider only by its required_providers
// block. It runs in a HOME of its own with no CLI configuration file, no dev_overrides and no
// registry to fall back on, so init can only find the provider where make install put it. A plan
// against a key service then proves the installed binary is the provider.
func TestAccInstall_readmeConfiguration(t *testing.T) {
	t.Parallel()
	s := acctest.NewServer(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	must(t, err)
	home := t.TempDir()

	// Go's caches stay where they are, so the build is the one this test run already made.
	goEnv := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH")
	out, err := goEnv.Output()
	must(t, err)
	caches := strings.Fields(string(out))
	if len(caches) != 3 {
		t.Fatalf("go env: %q", out)
	}
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GOCACHE=" + caches[0], "GOMODCACHE=" + caches[1],
		"GOPATH=" + caches[2], "GOTOOLCHAIN=local", "KEYSERVICE_CACHE=" + acctest.CacheDir(), "CHECKPOINT_DISABLE=1"}
	install := exec.Command("make", "--no-print-directory", "install")
	install.Dir, install.Env = root, env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}

	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	must(t, err)
	config := readmeProviderConfiguration(t, string(readme))
	work := t.TempDir()
	must(t, os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600))

	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	run := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(cli, args...)
		cmd.Dir = work
		cmd.Env = append(env, "TF_IN_AUTOMATION=1", "KEYSERVICE_ENDPOINT="+s.URL, "KEYSERVICE_TOKEN="+s.AdminToken)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, string(out)
		case errors.As(err, &exit):
			return exit.ExitCode(), string(out)
		}
		t.Fatalf("%s %v: %v", cli, args, err)
		return -1, ""
	}
	code, initOut := run("init", "-input=false", "-no-color")
	installed := regexp.MustCompile(`Installed keyservice/keyservice v\d+\.\d+\.\d+`).FindString(initOut)
	if code != 0 || installed == "" {
		t.Fatalf("init of the README's configuration after make install: exit %d\n%s\n%s", code, initOut, config)
	}
	code, planOut := run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if code != 2 || !strings.Contains(planOut, "keyservice_api_key.deployer will be created") {
		t.Fatalf("plan of the README's configuration: exit %d, want 2 (changes)\n%s", code, planOut)
	}
	t.Logf("observed: after make install, %s init: %q; the plan creates the README's resources", filepath.Base(cli), installed)
}

// readmeProviderConfiguration joins the hcl blocks of the README's "Using the provider" section:
// the configuration a reader copies.
func readmeProviderConfiguration(t *testing.T, readme string) string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Using the provider\n")
	if !ok {
		t.Fatal(`README.md has no "## Using the provider" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var config strings.Builder
	for _, block := range regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllStringSubmatch(section, -1) {
		config.WriteString(block[1] + "\n")
	}
	if !strings.Contains(config.String(), `source = "keyservice/keyservice"`) {
		t.Fatalf("the README's provider section does not declare source = \"keyservice/keyservice\":\n%s", config.String())
	}
	return config.String()
}
