package provider_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// requiredProvidersTF is added to an example that does not say where keyservice comes from,
// as a reader pasting the example into their own configuration would have it.
const requiredProvidersTF = `terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}
`

// minimumCLIVersion holds the examples directories that need a newer CLI than the oldest one
// the tests run: ephemeral resources came with Terraform 1.10 and OpenTofu 1.11.
var minimumCLIVersion = map[string][2]int{
	"ephemeral-resources": {1, 10},
}

// importByIdentity is the example of an import block with an identity (Terraform and OpenTofu
// 1.12): it imports the resource the directory's import-by-string-id.tf imports too, so it is
// validated in a run of its own, without that file.
const importByIdentity = "import-by-identity.tf"

// TestAccExamples checks that every example the docs show is formatted and valid: the CLI runs
// `fmt -check` over examples/ and `validate` in a copy of each directory that holds .tf files,
// against the provider built from this tree through dev_overrides (no registry, no init).
func TestAccExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make acc-terraform / acc-opentofu)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	examples := filepath.Join(root, "examples")

	rc := acctest.DevOverridesConfig(t, acctest.ProviderBinaryDir(t))
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	major, minor := cliVersion(t, cli, env)

	t.Run("fmt", func(t *testing.T) {
		runCLI(t, cli, env, examples, "fmt", "-check", "-recursive", "-diff", "-no-color")
	})

	for _, dir := range exampleDirs(t, examples) {
		rel, _ := filepath.Rel(examples, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			kind := strings.Split(filepath.ToSlash(rel), "/")[0]
			if want, ok := minimumCLIVersion[kind]; ok && (major < want[0] || major == want[0] && minor < want[1]) {
				t.Skipf("%s needs CLI %d.%d or later; %s is %d.%d", kind, want[0], want[1], cli, major, minor)
			}
			work := t.TempDir()
			copyTFFiles(t, dir, work, func(name string) bool { return name != importByIdentity })
			runCLI(t, cli, env, work, "validate", "-no-color")
			if _, err := os.Stat(filepath.Join(dir, importByIdentity)); err != nil {
				return
			}
			if major == 1 && minor < 12 {
				t.Logf("%s not validated: import by identity needs CLI 1.12 or later; %s is %d.%d", importByIdentity, cli, major, minor)
				return
			}
			work = t.TempDir()
			copyTFFiles(t, dir, work, func(name string) bool { return !strings.HasPrefix(name, "import-") || name == importByIdentity })
			runCLI(t, cli, env, work, "validate", "-no-color")
		})
	}
}

// exampleDirs lists every directory under examples/ that holds at least one .tf file.
func exampleDirs(t *testing.T, examples string) []string {
	t.Helper()
	seen := map[string]bool{}
	var dirs []string
	err := filepath.WalkDir(examples, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tf") && !seen[filepath.Dir(path)] {
			seen[filepath.Dir(path)] = true
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no example directories under %s", examples)
	}
	return dirs
}

// copyTFFiles copies the .tf files of dir that include accepts into work, adding a
// required_providers block when none of them has one.
func copyTFFiles(t *testing.T, dir, work string, include func(name string) bool) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	declared := false
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") || !include(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || bytes.Contains(b, []byte("required_providers"))
		if err := os.WriteFile(filepath.Join(work, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !declared {
		if err := os.WriteFile(filepath.Join(work, "required_providers_test.tf"), []byte(requiredProvidersTF), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// cliVersion returns the major and minor version the CLI reports.
func cliVersion(t *testing.T, cli string, env []string) (int, int) {
	t.Helper()
	cmd := exec.Command(cli, "version", "-json")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v\n%s", cli, err, out)
	}
	parts := strings.SplitN(v.Version, ".", 3)
	if len(parts) < 2 {
		t.Fatalf("%s reports version %q", cli, v.Version)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("%s reports version %q", cli, v.Version)
	}
	return major, minor
}

func runCLI(t *testing.T, cli string, env []string, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(cli, args...)
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", filepath.Base(cli), strings.Join(args, " "), dir, err, out)
	}
}
