package keyservice

import (
	"context"
	"testing"
	"time"
)

// A zero RotationInterval turns the loop off: it returns at once, having rotated nothing (the
// zero-value service has no store: a pass would panic).
func TestRotationLoopOffWithZeroInterval(t *testing.T) {
	s := &Service{rotation: &scheduledRotation{}}
	done := make(chan struct{})
	go func() { s.runRotationLoop(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the rotation loop with a zero interval did not return")
	}
}
