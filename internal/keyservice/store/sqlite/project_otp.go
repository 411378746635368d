package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// SetProjectOTPSecret implements store.ProjectStore.
func (s *Store) SetProjectOTPSecret(ctx context.Context, id string, sealed []byte, at time.Time, ch store.Changes) error {
	return s.setProjectColumn(ctx, "otp_secret", id, sealed, at, ch)
}

// ConsumeOTPStep implements store.OTPStore.
func (s *Store) ConsumeOTPStep(ctx context.Context, projectID string, step int64) (bool, error) {
	res, err := s.execChanging(ctx, noCredentialChange,
		`UPDATE projects SET otp_last_step = ?
		 WHERE id = ? AND deleted_at IS NULL AND (otp_last_step IS NULL OR otp_last_step < ?)`,
		step, projectID, step)
	if err != nil {
		return false, fmt.Errorf("sqlite: consume otp step: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OTPFailures implements store.OTPStore.
func (s *Store) OTPFailures(ctx context.Context, projectID, credential string) (store.OTPFailures, error) {
	var (
		f     store.OTPFailures
		start int64
	)
	err := s.reader.QueryRowContext(ctx,
		`SELECT failures, window_started_at FROM otp_failures WHERE project_id = ? AND credential = ?`,
		projectID, credential).Scan(&f.Count, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return store.OTPFailures{}, nil
	}
	if err != nil {
		return store.OTPFailures{}, fmt.Errorf("sqlite: otp failures: %w", err)
	}
	f.WindowStart = fromMicros(start)
	return f, nil
}

// ForgiveOTPFailure implements store.OTPStore.
func (s *Store) ForgiveOTPFailure(ctx context.Context, projectID, credential string, windowStart time.Time) error {
	if _, err := s.execChanging(ctx, noCredentialChange,
		`UPDATE otp_failures SET failures = failures - 1
		 WHERE project_id = ? AND credential = ? AND window_started_at = ? AND failures > 0`,
		projectID, credential, toMicros(windowStart)); err != nil {
		return fmt.Errorf("sqlite: forgive otp failure: %w", err)
	}
	return nil
}

// RecordOTPFailure implements store.OTPStore. It writes through QueryRowContext (for RETURNING),
// which WriteGeneration does not count: no credential depends on this table.
func (s *Store) RecordOTPFailure(ctx context.Context, projectID, credential string, at, notBefore time.Time) (store.OTPFailures, error) {
	var (
		f     store.OTPFailures
		start int64
	)
	err := s.writer.QueryRowContext(ctx,
		`INSERT INTO otp_failures (project_id, credential, window_started_at, failures) VALUES (?, ?, ?, 1)
		 ON CONFLICT (project_id, credential) DO UPDATE SET
			failures = CASE WHEN otp_failures.window_started_at <= ? THEN 1 ELSE otp_failures.failures + 1 END,
			window_started_at = CASE WHEN otp_failures.window_started_at <= ? THEN excluded.window_started_at
				ELSE otp_failures.window_started_at END
		 RETURNING failures, window_started_at`,
		projectID, credential, toMicros(at), toMicros(notBefore), toMicros(notBefore)).Scan(&f.Count, &start)
	if err != nil {
		return store.OTPFailures{}, fmt.Errorf("sqlite: record otp failure: %w", mapErr(err))
	}
	f.WindowStart = fromMicros(start)
	return f, nil
}
