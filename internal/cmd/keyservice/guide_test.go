package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

// guidePath is the "Keys from the command line" guide's template; docs/guides/ holds what
// `make generate` renders from it.
const guidePath = "../../../templates/guides/keys-from-the-command-line.md.tmpl"

// TestGuide runs every shell block of the guide, as written and in order, in one bash session
// against a fresh keyserviced: a command the guide shows that no longer works fails this test. A
// block is left out only when a template comment ({{/* … */}}) right above it says why.
func TestGuide(t *testing.T) {
	script, blocks := guideScript(t, guidePath)
	if blocks < 10 {
		t.Fatalf("found %d shell blocks in %s; the guide has more", blocks, guidePath)
	}
	srv := acctest.StartServer(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "guide.sh")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-x", "-e", "-o", "pipefail", file)
	cmd.Dir = dir
	// keyservice is on PATH: TestMain put it there. Standard input is not a terminal.
	cmd.Env = append(withoutKeyserviceEnv(os.Environ()), "HOME="+dir,
		"KEYSERVICE_ENDPOINT="+srv.URL, "KEYSERVICE_TOKEN="+srv.AdminToken)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the guide's commands failed: %v\n%s", err, out)
	}
	// The blocks that show a failure show the exit code the guide's text promises.
	for _, want := range []string{
		"refused, exit code 1",
		"not found, exit code 4",
		"nothing revoked, exit code 4",
		"disabled, exit code 1",
		"ks_production_",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the guide's run does not print %q:\n%s", want, out)
		}
	}
	trace, err := os.ReadFile(filepath.Join(dir, "trace.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(trace), srv.AdminToken) || !strings.Contains(string(trace), "Authorization: Bearer [REDACTED]") {
		t.Errorf("the debugging section's trace is not redacted:\n%s", trace)
	}
}

// guideScript returns the guide's runnable shell blocks as one script, and how many there were.
// Every fenced block must be sh (run), text (output shown), or sh under a template comment that
// says why it is not run, so that no command escapes the test by its fence.
func guideScript(t *testing.T, path string) (string, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		script                    strings.Builder
		blocks, lineNo, fenceLine int
		in, run                   bool
		prev                      string
	)
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		lineNo++
		switch {
		case in && line == "```":
			in = false
		case in:
			if run {
				script.WriteString(line + "\n")
			}
		case strings.HasPrefix(line, "```"):
			in, fenceLine = true, lineNo
			skipped := strings.HasPrefix(prev, "{{/*")
			switch lang := strings.TrimPrefix(line, "```"); {
			case lang == "sh" && !skipped:
				run = true
				blocks++
				script.WriteString("\n# " + path + ":" + strconv.Itoa(lineNo) + "\n")
			case lang == "sh" || lang == "text":
				run = false
			default:
				t.Fatalf("%s:%d: a %q block: the guide's blocks are sh (run by this test) or text", path, lineNo, lang)
			}
		}
		prev = line
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if in {
		t.Fatalf("%s:%d: a block is not closed", path, fenceLine)
	}
	return script.String(), blocks
}

func withoutKeyserviceEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "KEYSERVICE_") {
			out = append(out, kv)
		}
	}
	return out
}
