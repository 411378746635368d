package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestLogBuffer: lines come out whole and in order, after a flush, however many goroutines
// log at once and whatever the buffer's size.
func TestLogBuffer(t *testing.T) {
	var out bytes.Buffer
	b := newLogBuffer(&out)
	logger := slog.New(slog.NewJSONHandler(b, nil))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				logger.Info("request", "g", g, "i", i, "pad", strings.Repeat("x", i%300))
			}
		}()
	}
	wg.Wait()
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8*2000 {
		t.Fatalf("%d lines, want %d", len(lines), 8*2000)
	}
	next := map[string]int{}
	for _, l := range lines {
		var g, i int
		if _, err := fmt.Sscanf(l[strings.Index(l, `"g":`):], `"g":%d,"i":%d`, &g, &i); err != nil {
			t.Fatalf("line not whole: %q", l)
		}
		if want := next[fmt.Sprint(g)]; i != want {
			t.Fatalf("goroutine %d: line %d after %d", g, i, want-1)
		}
		next[fmt.Sprint(g)]++
	}
}

// TestLogBufferFlushesWarnings: a warning is written when it is logged, with the lines before it.
func TestLogBufferFlushesWarnings(t *testing.T) {
	var out bytes.Buffer
	b := newLogBuffer(&out)
	logger := slog.New(flushOnWarn{slog.NewJSONHandler(b, nil), b}).With("component", "test")
	logger.Info("request")
	if out.Len() != 0 {
		t.Fatalf("an info line was written at once: %q", out.String())
	}
	logger.Warn("trouble")
	if got := strings.Count(out.String(), "\n"); got != 2 || !strings.Contains(out.String(), `"msg":"trouble"`) {
		t.Fatalf("after a warning the output is %q, want both lines", out.String())
	}
}

// BenchmarkLogBuffer: a request log line written to a file, straight and through logBuffer.
func BenchmarkLogBuffer(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	attrs := []slog.Attr{slog.String("request_id", "ABCDEFGHIJKLMNOP"), slog.String("method", "GET"),
		slog.String("route", "/healthz"), slog.Int("status", 200), slog.Float64("duration_ms", 0.012)}
	for _, tc := range []struct {
		name string
		w    interface{ Write([]byte) (int, error) }
	}{{"direct", f}, {"buffered", newLogBuffer(f)}} {
		b.Run(tc.name, func(b *testing.B) {
			logger := slog.New(slog.NewJSONHandler(tc.w, nil))
			for b.Loop() {
				logger.LogAttrs(b.Context(), slog.LevelInfo, "request", attrs...)
			}
		})
	}
}
