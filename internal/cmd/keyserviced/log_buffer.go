package main

import (
	"io"
	"sync"
	"time"
)

// logFlushInterval bounds how long a log line waits in logBuffer before it is written.
const logFlushInterval = 50 * time.Millisecond

// logBufferSize is how much logBuffer holds before it writes at once.
const logBufferSize = 64 << 10

// logBuffer collects the server's log lines and writes them together, at most
// logFlushInterval after the first of them (or once logBufferSize is held), and at shutdown.
// One request logs one line; written straight to stderr, each line is a system call, which
// cost as much as the rest of a GET /healthz (BenchmarkLogBuffer). A process that dies without
// shutting down loses at most one interval of lines; a panicking handler is recovered and
// logged, so that takes a crash of the runtime itself.
type logBuffer struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer // armed while buf holds lines
	err   error       // the last write error, returned by Flush
}

func newLogBuffer(w io.Writer) *logBuffer {
	return &logBuffer{w: w, buf: make([]byte, 0, logBufferSize)}
}

// Write keeps p (one log line: slog writes each record in one call) for the next flush.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > logBufferSize {
		b.flushLocked()
	}
	if len(p) > logBufferSize {
		_, err := b.w.Write(p)
		return len(p), err
	}
	b.buf = append(b.buf, p...)
	if b.timer == nil {
		b.timer = time.AfterFunc(logFlushInterval, func() { _ = b.Flush() })
	}
	return len(p), nil
}

// Flush writes what is held.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	return b.err
}

func (b *logBuffer) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}
