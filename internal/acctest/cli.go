package acctest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Versions of the CLIs that .ci/install-clis builds into the cache.
const (
	TerraformVersion = "1.8.5"
	OpenTofuVersion  = "1.12.6"
)

// CacheDir is where .ci/install-clis puts the CLIs: outside the clone, so a second run is free.
func CacheDir() string {
	if d := os.Getenv("KEYSERVICE_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "keyservice")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "keyservice")
}

// ProviderNamespace is the namespace of the provider's address,
// registry.terraform.io/keyservice/keyservice.
const ProviderNamespace = "keyservice"

// SetupCLI prepares the environment of an acceptance test run: it picks the CLI named by
// TF_ACC_TERRAFORM_PATH, or the cached Terraform; makes terraform-plugin-testing serve the
// provider under its own namespace (TF_ACC_PROVIDER_NAMESPACE, unless set); and makes sure a
// TF_CLI_CONFIG_FILE that names a missing file (which breaks OpenTofu's version output) is not
// passed on. Call it from TestMain; it returns a short description of the CLI for the test log.
func SetupCLI() (string, error) {
	if os.Getenv("TF_ACC") == "" {
		return "acceptance tests off (TF_ACC unset)", nil
	}
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		os.Setenv("TF_ACC_PROVIDER_NAMESPACE", ProviderNamespace)
	}
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil {
			os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		cli = filepath.Join(CacheDir(), "terraform-"+TerraformVersion, "terraform")
		os.Setenv("TF_ACC_TERRAFORM_PATH", cli)
	}
	if _, err := os.Stat(cli); err != nil {
		return "", fmt.Errorf("the CLI %s is missing: run .ci/install-clis (or make clis) first, or set TF_ACC_TERRAFORM_PATH: %w", cli, err)
	}
	return "acceptance tests with " + cli, nil
}

// IsOpenTofu reports whether the acceptance tests run on OpenTofu.
func IsOpenTofu() bool {
	return filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")) == "tofu"
}

// RunMain is the TestMain of packages with acceptance tests.
func RunMain(m *testing.M) int {
	desc, err := SetupCLI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "acctest:", desc)
	return m.Run()
}
