package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// keyserviced is a real keyserviced process, as operators run it: its own binary, a store,
// info-level request logs (to a file), and the verify rate limit off so that the load test
// measures the service rather than the limiter.
type keyserviced struct {
	URL    string
	Token  string
	Client *client.Client
	cmd    *exec.Cmd
	log    *os.File
	// exited is closed once the process has ended; waitErr is then how.
	exited  chan struct{}
	waitErr error
}

// serverCredentials are the admin token and server secret every keyserviced of a run shares
// (replicas share them, and a restarted server must still verify the keys it issued).
type serverCredentials struct {
	token  string
	secret []byte
}

func newServerCredentials() (serverCredentials, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return serverCredentials{}, err
	}
	return serverCredentials{token: "ksadmin-" + rand.Text(), secret: secret}, nil
}

// startKeyserviced starts bin on database (a SQLite path or a postgres:// URL) on a free
// loopback port and waits until it is ready; pin puts it on the servers' core.
func startKeyserviced(bin, database, dir string, creds serverCredentials, pin bool) (*keyserviced, error) {
	token := creds.token
	logPath := filepath.Join(dir, "keyserviced-"+time.Now().Format("150405.000000")+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := []string{"--listen", "127.0.0.1:0", "--database", database, "--verify-rate-limit", "0"}
	cmd := exec.Command(bin, args...)
	if pin {
		cmd = pinned(serverCPU, bin, args...)
	}
	cmd.Env = append(os.Environ(), "KEYSERVICE_ADMIN_TOKEN="+token,
		"KEYSERVICE_SERVER_SECRET="+base64.StdEncoding.EncodeToString(creds.secret))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	k := &keyserviced{Token: token, cmd: cmd, log: logFile, exited: make(chan struct{})}
	go func() { k.waitErr = cmd.Wait(); close(k.exited) }()

	addr, err := waitListening(logPath, k, 30*time.Second)
	if err != nil {
		k.Stop()
		return nil, err
	}
	k.URL = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(k.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			k.Stop()
			return nil, fmt.Errorf("keyserviced at %s not ready after 30s (log: %s)", k.URL, logPath)
		}
	}
	k.Client, err = client.New(client.Config{Endpoint: k.URL, Token: token})
	if err != nil {
		k.Stop()
		return nil, err
	}
	return k, nil
}

// waitListening reads the server log until the "listening" line names the address.
func waitListening(logPath string, k *keyserviced, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-k.exited:
			out, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("keyserviced exited (%v):\n%s", k.waitErr, out)
		default:
		}
		f, err := os.Open(logPath)
		if err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var line struct{ Msg, Addr string }
				if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" && line.Addr != "" {
					f.Close()
					return line.Addr, nil
				}
			}
			f.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "", errors.New("keyserviced did not log its listen address in time")
}

// Stop ends the process with SIGINT (a graceful shutdown) and waits for it; a process that has
// ended already (a failed start) is only waited for. How a signalled process ended says nothing
// its log does not.
func (k *keyserviced) Stop() {
	_ = k.cmd.Process.Signal(os.Interrupt)
	select {
	case <-k.exited:
	case <-time.After(20 * time.Second):
		_ = k.cmd.Process.Kill()
		<-k.exited
	}
	k.log.Close()
}

// cpu is the CPU time (user + system) the process has used so far.
func (k *keyserviced) cpu() time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", k.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture Go
// supports.
const clockTicks = 100

// requests scrapes keyservice_http_requests_total from /metrics: "METHOD route status" → count.
func (k *keyserviced) requests(ctx context.Context) (map[string]uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+k.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	out := map[string]uint64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "keyservice_http_requests_total{")
		if !ok {
			continue
		}
		labels, value, _ := strings.Cut(line, "} ")
		var method, route, status string
		for _, kv := range strings.Split(labels, `",`) {
			name, v, _ := strings.Cut(kv, `="`)
			v = strings.TrimSuffix(v, `"`)
			switch name {
			case "method":
				method = v
			case "route":
				route = v
			case "status":
				status = v
			}
		}
		// The exposition writes a float: 1e+06 from a million on.
		var n float64
		_, _ = fmt.Sscan(value, &n) // a malformed count reads as 0
		out[method+" "+route+" "+status] = uint64(n)
	}
	return out, sc.Err()
}

// hellod is the bare net/http hello-world server (internal/bench/hellod), the floor.
type hellod struct {
	URL string
	cmd *exec.Cmd
}

// startHellod starts bin on the servers' core.
func startHellod(bin string) (*hellod, error) {
	cmd := pinned(serverCPU, bin, "--listen", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("%s printed no address: %w", bin, err)
	}
	return &hellod{URL: "http://" + strings.TrimSpace(line), cmd: cmd}, nil
}

func (h *hellod) Stop() {
	_ = h.cmd.Process.Kill()
	_ = h.cmd.Wait()
}
