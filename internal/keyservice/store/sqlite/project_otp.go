package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// SetProjectOTPSecret implements store.ProjectStore.
func (s *Store) SetProjectOTPSecret(ctx context.Context, id string, sealed []byte, at time.Time) error {
	res, err := s.execChanging(ctx, noCredentialChange,
		`UPDATE projects SET otp_secret = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`,
		sealed, toMicros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: set project otp secret: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: set project otp secret: %w", store.ErrNotFound)
	}
	return nil
}
