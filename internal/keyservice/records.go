package keyservice

import (
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// The records the service returns are the store's: the domain adds rules, not fields.
type (
	Project        = store.Project
	ServiceAccount = store.ServiceAccount
	Environment    = store.Environment
	APIKey         = store.APIKey
)

// Page is one page of a list: its items, and the token of the next page ("" on the last).
type Page[T any] struct {
	Items         []T
	NextPageToken string
}

// formatTime is how times leave the service (webhook events): RFC 3339 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}
