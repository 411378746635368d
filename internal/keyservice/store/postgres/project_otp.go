package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// SetProjectOTPSecret implements store.ProjectStore.
func (s *Store) SetProjectOTPSecret(ctx context.Context, id string, sealed []byte, at time.Time, ch store.Changes) error {
	return s.setProjectColumn(ctx, "otp_secret", id, sealed, at, ch)
}

// ConsumeOTPStep implements store.OTPStore. The conditional UPDATE takes the row's lock, so of
// two replicas consuming the same step at once, the second sees the first's value and fails.
func (s *Store) ConsumeOTPStep(ctx context.Context, projectID string, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx,
		`UPDATE projects SET otp_last_step = $1
		 WHERE id = $2 AND deleted_at IS NULL AND (otp_last_step IS NULL OR otp_last_step < $1)`,
		step, projectID)
	if err != nil {
		return false, fmt.Errorf("postgres: consume otp step: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// OTPFailures implements store.OTPStore.
func (s *Store) OTPFailures(ctx context.Context, projectID, credential string) (store.OTPFailures, error) {
	var f store.OTPFailures
	err := s.pool.QueryRow(ctx,
		`SELECT failures, window_started_at FROM otp_failures WHERE project_id = $1 AND credential = $2`,
		projectID, credential).Scan(&f.Count, &f.WindowStart)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.OTPFailures{}, nil
	}
	if err != nil {
		return store.OTPFailures{}, fmt.Errorf("postgres: otp failures: %w", err)
	}
	f.WindowStart = f.WindowStart.UTC()
	return f, nil
}

// ForgiveOTPFailure implements store.OTPStore.
func (s *Store) ForgiveOTPFailure(ctx context.Context, projectID, credential string, windowStart time.Time) error {
	if _, err := s.pool.Exec(ctx,
		`UPDATE otp_failures SET failures = failures - 1
		 WHERE project_id = $1 AND credential = $2 AND window_started_at = $3 AND failures > 0`,
		projectID, credential, ts(windowStart)); err != nil {
		return fmt.Errorf("postgres: forgive otp failure: %w", err)
	}
	return nil
}

// RecordOTPFailure implements store.OTPStore.
func (s *Store) RecordOTPFailure(ctx context.Context, projectID, credential string, at, notBefore time.Time) (store.OTPFailures, error) {
	var f store.OTPFailures
	err := s.pool.QueryRow(ctx,
		`INSERT INTO otp_failures AS o (project_id, credential, window_started_at, failures) VALUES ($1, $2, $3, 1)
		 ON CONFLICT (project_id, credential) DO UPDATE SET
			failures = CASE WHEN o.window_started_at <= $4 THEN 1 ELSE o.failures + 1 END,
			window_started_at = CASE WHEN o.window_started_at <= $4 THEN excluded.window_started_at
				ELSE o.window_started_at END
		 RETURNING failures, window_started_at`,
		projectID, credential, ts(at), ts(notBefore)).Scan(&f.Count, &f.WindowStart)
	if err != nil {
		return store.OTPFailures{}, fmt.Errorf("postgres: record otp failure: %w", mapErr(err))
	}
	f.WindowStart = f.WindowStart.UTC()
	return f, nil
}
