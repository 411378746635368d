package keyservice

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const (
	// fieldIdempotencyKey names the key in errors, as the API carries it.
	fieldIdempotencyKey  = "Idempotency-Key"
	maxIdempotencyKeyLen = 255
	idempotencyTTL       = time.Hour
	// idempotencySweepInterval is how often Run deletes expired records. A record is judged
	// by its expiry when it is read, so the sweep only bounds how long expired ones are kept.
	idempotencySweepInterval = time.Minute
)

// IdempotentRequest names a request that may be retried: the caller's Idempotency-Key, and a
// fingerprint of everything that makes two requests the same (method, path, query, body).
type IdempotentRequest struct {
	Key         string
	Fingerprint []byte
}

// RecordedResponse is the answer to an idempotent request, kept to be replayed. The service
// stores it sealed, since a create's answer holds the new key's secret, and never reads it.
type RecordedResponse struct {
	Status int
	Body   []byte
}

// Idempotent runs do at most once per principal and Idempotency-Key within an hour: the first
// request runs it, as the principal do is given, and its answer is recorded when do says it is
// final; a retry with the same key and fingerprint gets that answer back (replayed is true)
// without running do, and one with the same key but another fingerprint is a
// KindIdempotencyMismatch. A replay is authorised as the first request was, for the projects it
// changed: where a project requires one-time codes, the retry needs a code valid now (not an
// unused one: the replay changes nothing). Duplicates arriving together wait for the first; an
// error from ctx means the caller went away while waiting.
func (s *Service) Idempotent(ctx context.Context, p Principal, req IdempotentRequest,
	do func(p Principal) (resp RecordedResponse, final bool)) (resp RecordedResponse, replayed bool, err error) {
	if req.Key == "" {
		return RecordedResponse{}, false, Invalid(fieldIdempotencyKey, "must not be empty")
	}
	if len(req.Key) > maxIdempotencyKeyLen {
		return RecordedResponse{}, false, Invalid(fieldIdempotencyKey, "must be at most %d characters long", maxIdempotencyKeyLen)
	}
	scope := p.credential()
	unlock, err := s.idempotency.lock(ctx, scope+"\x00"+req.Key)
	if err != nil {
		return RecordedResponse{}, false, err
	}
	defer unlock()

	aad := []byte(scope + "\x00" + req.Key)
	now := s.now().UTC()
	rec, err := s.store.GetIdempotencyRecord(ctx, scope, req.Key)
	switch {
	case err == nil && !now.Before(rec.ExpiresAt):
		if err := s.store.DeleteIdempotencyRecord(ctx, scope, req.Key); err != nil {
			return RecordedResponse{}, false, fmt.Errorf("delete expired idempotency record: %w", err)
		}
	case err == nil:
		if !hmac.Equal(rec.RequestHash, req.Fingerprint) {
			return RecordedResponse{}, false, &Error{Kind: KindIdempotencyMismatch, Field: fieldIdempotencyKey,
				Message: "Idempotency-Key " + quoteForMessage(req.Key) + " was used with a different request"}
		}
		if err := s.authorizeReplay(ctx, p, rec.Projects); err != nil {
			return RecordedResponse{}, false, err
		}
		plain, err := s.replays.open(rec.Body, aad)
		if err != nil {
			return RecordedResponse{}, false, fmt.Errorf("open idempotency record: %w", err)
		}
		return RecordedResponse{Status: rec.Status, Body: plain}, true, nil
	case !errors.Is(err, store.ErrNotFound):
		return RecordedResponse{}, false, fmt.Errorf("read idempotency record: %w", err)
	}

	var changed writeLog
	resp, final := do(p.loggingWrites(&changed))
	if final {
		s.record(ctx, scope, req, aad, resp, changed.projects, now)
	}
	return resp, false, nil
}

// record keeps resp for the retries of req. A failure is logged, not returned: the request
// itself succeeded; only a later replay is lost.
func (s *Service) record(ctx context.Context, scope string, req IdempotentRequest, aad []byte, resp RecordedResponse, projects []string, now time.Time) {
	sealed, err := s.replays.seal(resp.Body, aad)
	if err == nil {
		err = s.store.PutIdempotencyRecord(ctx, store.IdempotencyRecord{
			Principal: scope, Key: req.Key, RequestHash: req.Fingerprint,
			Status: resp.Status, Body: sealed, Projects: projects,
			CreatedAt: now, ExpiresAt: now.Add(idempotencyTTL),
		})
	}
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "idempotency record not stored", slog.String("error", err.Error()))
	}
}

// runIdempotencySweep deletes expired idempotency records every idempotencySweepInterval
// until ctx ends.
func (s *Service) runIdempotencySweep(ctx context.Context) {
	t := time.NewTicker(idempotencySweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.store.DeleteExpiredIdempotencyRecords(ctx, s.now().UTC()); err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "idempotency sweep failed", slog.String("error", err.Error()))
		}
	}
}
