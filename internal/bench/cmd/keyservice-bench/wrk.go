package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"time"
)

// The load generator is wrk (Debian's package; .ci/bench installs it), on its own core: the
// servers run on CPU 0 (taskset), wrk on CPU 1, so that the generator's own work does not come
// out of the server's share of the machine. One thread, 32 connections, keep-alive.

// wrkRun is what one wrk run measured.
type wrkRun struct {
	rate     float64
	p50, p99 time.Duration
	requests int
	// errors counts answers that were not 2xx (wrk's "Non-2xx or 3xx responses") and socket errors.
	errors int
}

func (r wrkRun) String() string {
	return fmt.Sprintf("%8.0f req/s  p50 %s  p99 %s  (%d requests, %d errors)", r.rate, ms(r.p50), ms(r.p99), r.requests, r.errors)
}

// pinning says whether the machine has the two cores the servers and wrk are pinned to.
func pinning() bool { return runtime.NumCPU() >= 2 }

// pinned prefixes a command with taskset -c cpu when the machine can pin.
func pinned(cpu int, name string, args ...string) *exec.Cmd {
	if !pinning() {
		return exec.Command(name, args...)
	}
	return exec.Command("taskset", append([]string{"-c", strconv.Itoa(cpu), name}, args...)...)
}

// serverCPU and loadCPU are the cores of the servers and of wrk.
const (
	serverCPU = 0
	loadCPU   = 1
)

// wrkTarget is one kind of request: a URL, and the Lua script that makes its requests (none for
// a plain GET).
type wrkTarget struct {
	name, url, script string
}

// run loads t for d with conns connections; delay, when not zero, paces every connection to one
// request per delay after each answer (wrk's delay() is in whole milliseconds).
func (t wrkTarget) run(ctx context.Context, wrk string, conns int, d time.Duration, delay time.Duration) (wrkRun, error) {
	args := []string{"-t1", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency", "--timeout", "10s"}
	if t.script != "" {
		args = append(args, "-s", t.script)
	}
	args = append(args, t.url)
	cmd := pinned(loadCPU, wrk, args...)
	cmd.Env = append(os.Environ(), "WRK_DELAY_MS="+strconv.Itoa(int(delay/time.Millisecond)))
	out, err := cmd.CombinedOutput()
	if err != nil || ctx.Err() != nil {
		return wrkRun{}, fmt.Errorf("wrk %s: %v\n%s", t.name, err, out)
	}
	return parseWrk(string(out))
}

var (
	wrkRate     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal    = regexp.MustCompile(`(\d+) requests in`)
	wrkPercent  = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkDuration = map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}
)

func parseWrk(out string) (wrkRun, error) {
	var r wrkRun
	m := wrkRate.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	r.rate, _ = strconv.ParseFloat(m[1], 64)
	if m := wrkTotal.FindStringSubmatch(out); m != nil {
		r.requests, _ = strconv.Atoi(m[1])
	}
	for _, m := range wrkPercent.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		d := time.Duration(v * float64(wrkDuration[m[3]]))
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.errors += n
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, v := range m[1:] {
			n, _ := strconv.Atoi(v)
			r.errors += n
		}
	}
	return r, nil
}

// pacingScript paces each connection (WRK_DELAY_MS between an answer and the next request).
const pacingScript = `
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if pause > 0 then
  delay = function() return pause end
end
`

// writeScripts writes the Lua scripts: a paced GET, and POST /v1/verify presenting each of keys
// in turn (the request texts made once, so wrk's own work per request stays small).
func writeScripts(dir string, keys []string) (get, verify string, err error) {
	get = filepath.Join(dir, "get.lua")
	if err := os.WriteFile(get, []byte(pacingScript), 0o600); err != nil {
		return "", "", err
	}
	keysFile := filepath.Join(dir, "verify-keys.txt")
	f, err := os.Create(keysFile)
	if err != nil {
		return "", "", err
	}
	w := bufio.NewWriter(f)
	for _, k := range keys {
		fmt.Fprintln(w, k)
	}
	if err := w.Flush(); err != nil {
		return "", "", err
	}
	f.Close()
	verify = filepath.Join(dir, "verify.lua")
	script := pacingScript + fmt.Sprintf(`
local requests = {}
-- In init, once wrk has set the Host header from the URL.
init = function(args)
  for key in io.lines(%q) do
    requests[#requests + 1] = wrk.format("POST", "/v1/verify", {["Content-Type"] = "application/json"}, '{"key":"' .. key .. '"}')
  end
end
local i = 0
request = function()
  i = i + 1
  return requests[(i %% #requests) + 1]
end
`, keysFile)
	return get, verify, os.WriteFile(verify, []byte(script), 0o600)
}

// halfLoad is the pacing that brings wrk to about half of peak's rate: a 1 ms pause after
// each answer on each connection, and as many connections as that rate needs at the latency
// peak saw (each connection sends one request per pause plus latency). The rate reached is
// reported beside the latencies.
func halfLoad(peak wrkRun) (delay time.Duration, conns int) {
	per := time.Millisecond + peak.p50/2
	return time.Millisecond, max(1, int(peak.rate/2*per.Seconds()+0.5))
}
