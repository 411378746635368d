package keyservice

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const (
	// DefaultUsageFlushInterval is how often a server writes the key uses it
	// has seen (last_used_at) to the store: the lag bound of last_used_at.
	DefaultUsageFlushInterval = time.Second
	// usageFlushTimeout bounds one background flush.
	usageFlushTimeout = 10 * time.Second
)

// usageRecorder keeps last_used_at off the verify path. A verification
// records the use in memory; the recorder writes every use seen since its
// last flush in one store call (store.TouchAPIKeys), at most one interval
// after the first of them. So N verifications of a key cost at most one row
// write per interval instead of N, and a verification never waits for, or
// holds, a lock on its key's row.
//
// The lag is bounded: a use is in the store within the flush interval (plus
// the write itself) of its verification, and reads through the same server
// include uses not yet flushed (overlay), so a client reading back through
// the server that verified sees last_used_at at once; other replicas see it
// after the flush. A failed flush keeps its uses for the next one (which
// the next verification schedules, or shutdown runs); a server that dies
// without flushing loses at most one interval's uses of last_used_at, which
// is informational and never decides access.
type usageRecorder struct {
	store    store.APIKeyStore
	interval time.Duration
	log      *slog.Logger

	flushing sync.Mutex // one flush at a time

	mu       sync.Mutex
	pending  map[string]time.Time // key id → latest use not yet handed to the store
	inflight map[string]time.Time // the batch a flush is writing now
	timer    *time.Timer          // armed while pending is non-empty
}

func newUsageRecorder(st store.APIKeyStore, interval time.Duration, log *slog.Logger) *usageRecorder {
	if interval <= 0 {
		interval = DefaultUsageFlushInterval
	}
	return &usageRecorder{store: st, interval: interval, log: log, pending: map[string]time.Time{}}
}

// record notes a successful verification of key id at at.
func (u *usageRecorder) record(id string, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if cur, ok := u.pending[id]; !ok || at.After(cur) {
		u.pending[id] = at
	}
	u.arm()
}

// arm starts the flush timer unless it runs already; u.mu is held. Uses
// recorded while a flush runs arm a new timer, since flush disarms it.
func (u *usageRecorder) arm() {
	if u.timer == nil && len(u.pending) > 0 {
		u.timer = time.AfterFunc(u.interval, u.flushInBackground)
	}
}

func (u *usageRecorder) flushInBackground() {
	ctx, cancel := context.WithTimeout(context.Background(), usageFlushTimeout)
	defer cancel()
	if err := u.flush(ctx); err != nil {
		u.log.LogAttrs(ctx, slog.LevelWarn, "recording key usage failed; retrying at the next flush",
			slog.String("error", err.Error()))
	}
}

// flush writes every pending use in one store call. On failure the uses
// stay pending (keeping the later of two uses of a key) for the flush that
// the next verification schedules, or the one at shutdown. Not re-arming
// the timer itself keeps a server whose store is gone (closed, or down, in
// which case verifications fail too) from retrying forever.
func (u *usageRecorder) flush(ctx context.Context) error {
	u.flushing.Lock()
	defer u.flushing.Unlock()

	u.mu.Lock()
	if u.timer != nil {
		u.timer.Stop()
		u.timer = nil
	}
	batch := u.pending
	u.pending = map[string]time.Time{}
	u.inflight = batch
	u.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}

	uses := make([]store.KeyUse, 0, len(batch))
	for id, at := range batch {
		uses = append(uses, store.KeyUse{ID: id, At: at})
	}
	slices.SortFunc(uses, func(a, b store.KeyUse) int { return cmp.Compare(a.ID, b.ID) })
	err := u.store.TouchAPIKeys(ctx, uses)

	u.mu.Lock()
	defer u.mu.Unlock()
	u.inflight = nil
	if err != nil {
		for id, at := range batch {
			if cur, ok := u.pending[id]; !ok || at.After(cur) {
				u.pending[id] = at
			}
		}
	}
	return err
}

// overlay sets k.LastUsedAt to the latest use this server has seen but not
// yet written, if that is later than the stored value.
func (u *usageRecorder) overlay(k *store.APIKey) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, m := range []map[string]time.Time{u.inflight, u.pending} {
		if at, ok := m[k.ID]; ok && (k.LastUsedAt == nil || at.After(*k.LastUsedAt)) {
			k.LastUsedAt = &at
		}
	}
}

// FlushUsage writes the key uses (last_used_at) this server has recorded
// but not yet written. It runs on its own every Config.UsageFlushInterval
// while there are uses to write; call it at shutdown, before closing the
// store, so none is lost.
func (s *Service) FlushUsage(ctx context.Context) error {
	return s.usage.flush(ctx)
}
