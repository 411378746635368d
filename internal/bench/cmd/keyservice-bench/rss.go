package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// peakRSS watches every process running binary (Terraform starts a provider several times in
// one command) and keeps the highest VmHWM, the kernel's own peak resident set size, seen in
// /proc/<pid>/status. VmHWM only grows, and a provider lives on after its biggest call until
// Terraform stops it, so polling every 10 ms misses nothing that matters.
type peakRSS struct {
	binary string
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	peakKB int64
	pids   map[int]bool
}

func watchRSS(binary string) *peakRSS {
	p := &peakRSS{binary: binary, stop: make(chan struct{}), pids: map[int]bool{}}
	p.wg.Add(1)
	go p.run()
	return p
}

func (p *peakRSS) run() {
	defer p.wg.Done()
	seen := map[int]bool{} // pids already judged
	for {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if !seen[pid] {
				seen[pid] = true
				if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == p.binary {
					p.mu.Lock()
					p.pids[pid] = true
					p.mu.Unlock()
				}
			}
			if p.pids[pid] {
				if kb := vmHWM(pid); kb > 0 {
					p.mu.Lock()
					p.peakKB = max(p.peakKB, kb)
					p.mu.Unlock()
				}
			}
		}
		select {
		case <-p.stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Stop ends the watch and returns the peak in bytes and how many processes were seen.
func (p *peakRSS) Stop() (int64, int) {
	close(p.stop)
	p.wg.Wait()
	return p.peakKB * 1024, len(p.pids)
}

func vmHWM(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}
