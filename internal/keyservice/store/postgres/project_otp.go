package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// SetProjectOTPSecret implements store.ProjectStore.
func (s *Store) SetProjectOTPSecret(ctx context.Context, id string, sealed []byte, at time.Time) error {
	tag, err := s.pool.Exec(ctx,
		`UPDATE projects SET otp_secret = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL`,
		sealed, ts(at), id)
	if err != nil {
		return fmt.Errorf("postgres: set project otp secret: %w", mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set project otp secret: %w", store.ErrNotFound)
	}
	return nil
}
