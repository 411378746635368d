package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
)

// TestMain makes this test binary the keyservice command too: testscript puts a copy of it on
// the scripts' PATH under that name, and running it runs main. The scripts exec that binary, a
// real process with real standard streams and exit codes.
//
// expect-exit is a second program on that PATH: `exec expect-exit 4 keyservice …` runs the
// command with the script's streams and succeeds only if it exits with that code.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"keyservice": main, "expect-exit": expectExit})
}

// expectExit is the expect-exit program: expect-exit CODE PROGRAM [ARG…].
func expectExit() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: expect-exit CODE PROGRAM [ARG…]")
		os.Exit(2)
	}
	want, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "expect-exit: code %q is not a number\n", os.Args[1])
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	got := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			fmt.Fprintf(os.Stderr, "expect-exit: %v\n", err)
			os.Exit(2)
		}
		got = exit.ExitCode()
	}
	if got != want {
		fmt.Fprintf(os.Stderr, "expect-exit: %s exited with %d, want %d\n", os.Args[2], got, want)
		os.Exit(1)
	}
}

// TestScripts runs every testdata/*.txtar workflow against its own keyserviced, started
// in-process on a fresh SQLite file, with KEYSERVICE_ENDPOINT and KEYSERVICE_TOKEN (the admin
// token) set.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			testscript.Run(t, scriptParams(t, acctest.StartServer(t), file))
		})
	}
}

func scriptParams(t *testing.T, srv *acctest.Server, files ...string) testscript.Params {
	return testscript.Params{
		Files:               files,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("KEYSERVICE_ENDPOINT", srv.URL)
			env.Setenv("KEYSERVICE_TOKEN", srv.AdminToken)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"capture":       capture,
			"shape":         shape,
			"same-document": sameDocument,
			"clock":         func(ts *testscript.TestScript, neg bool, args []string) { clock(ts, neg, args, srv) },
			"otp-enable":    func(ts *testscript.TestScript, neg bool, args []string) { otpEnable(ts, neg, args, srv) },
			"otp-code":      func(ts *testscript.TestScript, neg bool, args []string) { otpCode(t, ts, neg, args, srv) },
		},
	}
}

// capture VAR [FILE]: sets VAR to the content of FILE (default: the last command's stdout),
// white space trimmed, so that a later command can use an id or a secret printed before.
func capture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: capture VAR [FILE]")
	}
	file := "stdout"
	if len(args) == 2 {
		file = args[1]
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(file)))
}

// shape [FILE]: prints the member names of the JSON or YAML document in FILE (default stdout), in
// order, one per line; for an array, "[N items]" and then the members of its first element. What
// scripts rely on in -f json and -f yaml is this shape, so a script compares it with cmp.
func shape(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: shape [FILE]")
	}
	file := "stdout"
	if len(args) == 1 {
		file = args[0]
	}
	var doc yaml.Node // YAML reads JSON too, and keeps the members' order
	ts.Check(yaml.Unmarshal([]byte(ts.ReadFile(file)), &doc))
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		ts.Fatalf("%s holds no document", file)
	}
	n := doc.Content[0]
	if n.Kind == yaml.SequenceNode {
		fmt.Fprintf(ts.Stdout(), "[%d items]\n", len(n.Content))
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		ts.Fatalf("%s holds neither an object nor an array of objects", file)
	}
	for i := 0; i < len(n.Content); i += 2 {
		fmt.Fprintln(ts.Stdout(), n.Content[i].Value)
	}
}

// same-document A B: A and B hold the same document, each in JSON or YAML.
func sameDocument(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: same-document A B")
	}
	read := func(file string) any {
		var v any
		ts.Check(yaml.Unmarshal([]byte(ts.ReadFile(file)), &v))
		// Through JSON, so that YAML's and JSON's number and map types compare alike.
		b, err := json.Marshal(v)
		ts.Check(err)
		var out any
		ts.Check(json.Unmarshal(b, &out))
		return out
	}
	a, b := read(args[0]), read(args[1])
	if same := reflect.DeepEqual(a, b); same == neg {
		ts.Fatalf("%s and %s: same document is %t\n%v\n%v", args[0], args[1], same, a, b)
	}
}

// clock DURATION: moves the server's clock by DURATION (30d, -100d, 1h), so that keys can be
// made and used "in the past".
func clock(ts *testscript.TestScript, neg bool, args []string, srv *acctest.Server) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: clock DURATION")
	}
	text, back := strings.CutPrefix(args[0], "-")
	d, err := cmdutil.ParseDuration(text)
	ts.Check(err)
	if back {
		d = -d
	}
	srv.Clock.Advance(d)
}

// otp-enable PROJECT_ID: makes the project require one-time codes (an admin API call that the
// command line does not offer) and keeps the secret in $OTP_SECRET.
func otpEnable(ts *testscript.TestScript, neg bool, args []string, srv *acctest.Server) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: otp-enable PROJECT_ID")
	}
	e, err := srv.Client.EnableProjectOTP(context.Background(), args[0])
	ts.Check(err)
	ts.Setenv("OTP_SECRET", e.OTPSecret)
}

// otp-code VAR: sets VAR to the current one-time code of $OTP_SECRET at the server's time.
func otpCode(t *testing.T, ts *testscript.TestScript, neg bool, args []string, srv *acctest.Server) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: otp-code VAR")
	}
	ts.Setenv(args[0], acctest.TOTP(t, ts.Getenv("OTP_SECRET"), srv.Clock.Now()))
}
