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

// FormatTime is how times leave the service, in webhook events and in the API: RFC 3339 in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// FormatTimePtr is FormatTime of a time that may be unset (nil stays nil).
func FormatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := FormatTime(*t)
	return &s
}
