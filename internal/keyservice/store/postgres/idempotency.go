package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// GetIdempotencyRecord implements store.IdempotencyStore.
func (s *Store) GetIdempotencyRecord(ctx context.Context, principal, key string) (store.IdempotencyRecord, error) {
	rec := store.IdempotencyRecord{Principal: principal, Key: key}
	err := s.pool.QueryRow(ctx,
		`SELECT request_hash, status, body, projects, created_at, expires_at FROM idempotency_records
		 WHERE principal = $1 AND idem_key = $2`, principal, key).
		Scan(&rec.RequestHash, &rec.Status, &rec.Body, &rec.Projects, &rec.CreatedAt, &rec.ExpiresAt)
	if err != nil {
		return store.IdempotencyRecord{}, fmt.Errorf("postgres: get idempotency record: %w", mapErr(err))
	}
	rec.CreatedAt = rec.CreatedAt.UTC()
	rec.ExpiresAt = rec.ExpiresAt.UTC()
	return rec, nil
}

// PutIdempotencyRecord implements store.IdempotencyStore.
func (s *Store) PutIdempotencyRecord(ctx context.Context, rec store.IdempotencyRecord) error {
	_, err := s.pool.Exec(ctx,
		`INSERT INTO idempotency_records (principal, idem_key, request_hash, status, body, projects, created_at, expires_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		rec.Principal, rec.Key, rec.RequestHash, rec.Status, rec.Body, nonNil(rec.Projects), ts(rec.CreatedAt), ts(rec.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: put idempotency record: %w", mapErr(err))
	}
	return nil
}

// DeleteIdempotencyRecord implements store.IdempotencyStore.
func (s *Store) DeleteIdempotencyRecord(ctx context.Context, principal, key string) error {
	if _, err := s.pool.Exec(ctx,
		`DELETE FROM idempotency_records WHERE principal = $1 AND idem_key = $2`, principal, key); err != nil {
		return fmt.Errorf("postgres: delete idempotency record: %w", err)
	}
	return nil
}

// DeleteExpiredIdempotencyRecords implements store.IdempotencyStore.
func (s *Store) DeleteExpiredIdempotencyRecords(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_records WHERE expires_at <= $1`, ts(now))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired idempotency records: %w", err)
	}
	return tag.RowsAffected(), nil
}
