package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// GetIdempotencyRecord implements store.IdempotencyStore.
func (s *Store) GetIdempotencyRecord(ctx context.Context, principal, key string) (store.IdempotencyRecord, error) {
	rec := store.IdempotencyRecord{Principal: principal, Key: key}
	var (
		created, expires int64
		projects         string
	)
	err := s.reader.QueryRowContext(ctx,
		`SELECT request_hash, status, body, projects, created_at, expires_at FROM idempotency_records
		 WHERE principal = ? AND idem_key = ?`, principal, key).
		Scan(&rec.RequestHash, &rec.Status, &rec.Body, &projects, &created, &expires)
	if err != nil {
		return store.IdempotencyRecord{}, fmt.Errorf("sqlite: get idempotency record: %w", mapErr(err))
	}
	if err := json.Unmarshal([]byte(projects), &rec.Projects); err != nil {
		return store.IdempotencyRecord{}, fmt.Errorf("sqlite: get idempotency record: projects: %w", err)
	}
	rec.CreatedAt = fromMicros(created)
	rec.ExpiresAt = fromMicros(expires)
	return rec, nil
}

// PutIdempotencyRecord implements store.IdempotencyStore.
func (s *Store) PutIdempotencyRecord(ctx context.Context, rec store.IdempotencyRecord) error {
	projects, err := encodeStrings(rec.Projects)
	if err != nil {
		return fmt.Errorf("sqlite: put idempotency record: %w", err)
	}
	_, err = s.execChanging(ctx, noCredentialChange,
		`INSERT INTO idempotency_records (principal, idem_key, request_hash, status, body, projects, created_at, expires_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.Principal, rec.Key, rec.RequestHash, rec.Status, rec.Body, projects, toMicros(rec.CreatedAt), toMicros(rec.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: put idempotency record: %w", mapErr(err))
	}
	return nil
}

// DeleteIdempotencyRecord implements store.IdempotencyStore.
func (s *Store) DeleteIdempotencyRecord(ctx context.Context, principal, key string) error {
	if _, err := s.execChanging(ctx, noCredentialChange,
		`DELETE FROM idempotency_records WHERE principal = ? AND idem_key = ?`, principal, key); err != nil {
		return fmt.Errorf("sqlite: delete idempotency record: %w", err)
	}
	return nil
}

// DeleteExpiredIdempotencyRecords implements store.IdempotencyStore.
func (s *Store) DeleteExpiredIdempotencyRecords(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.execChanging(ctx, noCredentialChange,
		`DELETE FROM idempotency_records WHERE expires_at <= ?`, toMicros(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired idempotency records: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
