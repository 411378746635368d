package postgres

import (
	"context"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// SetProjectOTPSecret implements store.ProjectStore.
func (s *Store) SetProjectOTPSecret(ctx context.Context, id string, sealed []byte, at time.Time, ch store.Changes) error {
	return s.setProjectColumn(ctx, "otp_secret", id, sealed, at, ch)
}
