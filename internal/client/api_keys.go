package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const apiKeysPath = "/v1/api-keys"

// APIKey is a key service API key. Key, the secret, is only set in the
// responses of create and rotate; String and GoString never print it.
type APIKey struct {
	ID                   string     `json:"id"`
	ProjectID            string     `json:"project_id"`
	ServiceAccountID     *string    `json:"service_account_id"`
	EnvironmentID        *string    `json:"environment_id"`
	Name                 string     `json:"name"`
	Description          string     `json:"description"`
	Key                  string     `json:"key,omitempty"`
	KeyPrefix            string     `json:"key_prefix"`
	Scopes               []string   `json:"scopes"`
	Active               bool       `json:"active"`
	ExpiresAt            *time.Time `json:"expires_at"`
	LastUsedAt           *time.Time `json:"last_used_at"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	RevokedAt            *time.Time `json:"revoked_at"`
	ReplacedByKeyID      *string    `json:"replaced_by_key_id"`
	GraceExpiresAt       *time.Time `json:"grace_expires_at"`
	RotationIntervalDays *int64     `json:"rotation_interval_days"`
	NextRotationAt       *time.Time `json:"next_rotation_at"`
	RotationWebhookURL   *string    `json:"rotation_webhook_url"`

	// Only set in a rotate response: the key this one replaced.
	PreviousKeyID             *string    `json:"previous_key_id,omitempty"`
	PreviousKeyGraceExpiresAt *time.Time `json:"previous_key_grace_expires_at,omitempty"`

	// ETag is the version the server gave in the response's ETag header; pass it back as
	// UpdateAPIKeyRequest.IfMatch so that an update made meanwhile is not overwritten.
	ETag string `json:"-"`
}

// String identifies the key without its secret, so %v and %+v cannot leak it.
func (k APIKey) String() string {
	secret := ""
	if k.Key != "" {
		secret = redacted
	}
	return fmt.Sprintf("APIKey{ID:%q ProjectID:%q Name:%q KeyPrefix:%q Key:%q Scopes:%q Active:%t}",
		k.ID, k.ProjectID, k.Name, k.KeyPrefix, secret, k.Scopes, k.Active)
}

// GoString keeps %#v from printing the secret too.
func (k APIKey) GoString() string { return "client." + k.String() }

type CreateAPIKeyRequest struct {
	ProjectID            string     `json:"project_id"`
	Name                 string     `json:"name"`
	Description          string     `json:"description,omitempty"`
	Scopes               []string   `json:"scopes"`
	Active               *bool      `json:"active,omitempty"`
	ExpiresAt            *time.Time `json:"expires_at,omitempty"`
	ExpiresInDays        *int64     `json:"expires_in_days,omitempty"`
	ServiceAccountID     *string    `json:"service_account_id,omitempty"`
	EnvironmentID        *string    `json:"environment_id,omitempty"`
	RotationIntervalDays *int64     `json:"rotation_interval_days,omitempty"`
	RotationWebhookURL   *string    `json:"rotation_webhook_url,omitempty"`
}

// UpdateAPIKeyRequest is a JSON merge patch: nil fields are left out and so
// left unchanged; a Clear… flag sends null, which unsets the field.
type UpdateAPIKeyRequest struct {
	Name                      *string
	Description               *string
	Scopes                    *[]string
	Active                    *bool
	ExpiresAt                 *time.Time
	ClearExpiresAt            bool
	RotationIntervalDays      *int64
	ClearRotationIntervalDays bool
	RotationWebhookURL        *string
	ClearRotationWebhookURL   bool

	// IfMatch, when set, is sent as If-Match: the server refuses the update with 412 unless the
	// key is still at that ETag. It is not part of the patch.
	IfMatch string
}

// MarshalJSON writes the merge patch. Setting a value and clearing it at once
// is a caller bug, so it fails rather than guessing.
func (r UpdateAPIKeyRequest) MarshalJSON() ([]byte, error) {
	patch := map[string]any{}
	if r.Name != nil {
		patch["name"] = *r.Name
	}
	if r.Description != nil {
		patch["description"] = *r.Description
	}
	if r.Scopes != nil {
		scopes := *r.Scopes
		if scopes == nil {
			scopes = []string{} // null would delete the member, not empty it
		}
		patch["scopes"] = scopes
	}
	if r.Active != nil {
		patch["active"] = *r.Active
	}
	if err := setOrClear(patch, "expires_at", utcTime(r.ExpiresAt), r.ClearExpiresAt); err != nil {
		return nil, err
	}
	if err := setOrClear(patch, "rotation_interval_days", r.RotationIntervalDays, r.ClearRotationIntervalDays); err != nil {
		return nil, err
	}
	if err := setOrClear(patch, "rotation_webhook_url", r.RotationWebhookURL, r.ClearRotationWebhookURL); err != nil {
		return nil, err
	}
	return json.Marshal(patch)
}

func setOrClear[T any](patch map[string]any, name string, value *T, clearIt bool) error {
	switch {
	case value != nil && clearIt:
		return fmt.Errorf("keyservice: update sets %s and clears it at once", name)
	case clearIt:
		patch[name] = nil
	case value != nil:
		patch[name] = *value
	}
	return nil
}

// utcTime sends times as the API shows them: RFC 3339 in UTC.
func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type RotateAPIKeyRequest struct {
	GracePeriodSeconds int64 `json:"grace_period_seconds"`
}

// ListAPIKeysOptions filters, sorts and pages a list. Zero values filter nothing.
type ListAPIKeysOptions struct {
	ProjectID        string
	ServiceAccountID string
	EnvironmentID    string
	Name             string
	NamePrefix       string
	Scope            string
	Active           *bool
	IncludeRevoked   bool
	ExpiresBefore    *time.Time
	SortBy           string
	PageSize         int
	PageToken        string
}

func (o ListAPIKeysOptions) query() url.Values {
	q := url.Values{}
	set := func(name, value string) {
		if value != "" {
			q.Set(name, value)
		}
	}
	set("project_id", o.ProjectID)
	set("service_account_id", o.ServiceAccountID)
	set("environment_id", o.EnvironmentID)
	set("name", o.Name)
	set("name_prefix", o.NamePrefix)
	set("scope", o.Scope)
	if o.Active != nil {
		q.Set("active", strconv.FormatBool(*o.Active))
	}
	if o.IncludeRevoked {
		q.Set("include_revoked", "true")
	}
	if o.ExpiresBefore != nil {
		q.Set("expires_before", o.ExpiresBefore.UTC().Format(time.RFC3339Nano))
	}
	set("sort_by", o.SortBy)
	if o.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(o.PageSize))
	}
	set("page_token", o.PageToken)
	return q
}

// APIKeyList is one page of keys.
type APIKeyList struct {
	Items         []APIKey `json:"items"`
	NextPageToken string   `json:"next_page_token"`
}

// CreateAPIKey creates a key; the returned Key holds the secret, which the
// API never shows again.
func (c *Client) CreateAPIKey(ctx context.Context, req CreateAPIKeyRequest) (*APIKey, error) {
	req.ExpiresAt = utcTime(req.ExpiresAt)
	var k APIKey
	if err := c.do(ctx, call{method: http.MethodPost, path: apiKeysPath, in: req, out: &k, etag: &k.ETag}); err != nil {
		return nil, err
	}
	return &k, nil
}

// GetAPIKey reads one key, revoked or not; it never carries the secret.
func (c *Client) GetAPIKey(ctx context.Context, id string) (*APIKey, error) {
	path, err := resourcePath(apiKeysPath, id, "")
	if err != nil {
		return nil, err
	}
	var k APIKey
	if err := c.do(ctx, call{method: http.MethodGet, path: path, out: &k, etag: &k.ETag}); err != nil {
		return nil, err
	}
	return &k, nil
}

// ListAPIKeys returns one page.
func (c *Client) ListAPIKeys(ctx context.Context, opts ListAPIKeysOptions) (*APIKeyList, error) {
	var list APIKeyList
	if err := c.do(ctx, call{method: http.MethodGet, path: apiKeysPath, query: opts.query(), out: &list}); err != nil {
		return nil, err
	}
	return &list, nil
}

// ListAllAPIKeys walks every page from opts.PageToken on.
func (c *Client) ListAllAPIKeys(ctx context.Context, opts ListAPIKeysOptions) ([]APIKey, error) {
	var all []APIKey
	seen := map[string]bool{}
	for {
		page, err := c.ListAPIKeys(ctx, opts)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextPageToken == "" {
			return all, nil
		}
		// A server that hands out a token twice would loop us forever.
		if seen[page.NextPageToken] {
			return nil, fmt.Errorf("keyservice: GET %s: the server returned page token %q twice", apiKeysPath, page.NextPageToken)
		}
		seen[page.NextPageToken] = true
		opts.PageToken = page.NextPageToken
	}
}

// FindAPIKeyByName returns the live key (not revoked, not replaced by a
// rotation) named exactly name in the project. None is ErrNotFound.
func (c *Client) FindAPIKeyByName(ctx context.Context, projectID, name string) (*APIKey, error) {
	if projectID == "" || name == "" {
		return nil, errors.New("keyservice: finding a key by name needs a project id and a name")
	}
	keys, err := c.ListAllAPIKeys(ctx, ListAPIKeysOptions{ProjectID: projectID, Name: name})
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if k := &keys[i]; k.Name == name && k.ProjectID == projectID && k.RevokedAt == nil && k.ReplacedByKeyID == nil {
			return k, nil
		}
	}
	return nil, &APIError{
		StatusCode: http.StatusNotFound,
		Code:       "not_found",
		Message:    fmt.Sprintf("no live API key named %q in project %q", name, projectID),
		Field:      "name",
	}
}

// UpdateAPIKey applies a merge patch and returns the updated key. With req.IfMatch set, a key
// changed since that ETag is left alone: the error is a *ConcurrentUpdateError holding the key
// as it is now, and matches ErrPreconditionFailed.
func (c *Client) UpdateAPIKey(ctx context.Context, id string, req UpdateAPIKeyRequest) (*APIKey, error) {
	path, err := resourcePath(apiKeysPath, id, "")
	if err != nil {
		return nil, err
	}
	var k APIKey
	attempts := 0
	err = c.do(ctx, call{method: http.MethodPatch, path: path, in: req, out: &k, etag: &k.ETag, ifMatch: req.IfMatch, attempts: &attempts})
	if req.IfMatch != "" && errors.Is(err, ErrPreconditionFailed) {
		return c.afterPreconditionFailed(ctx, id, req, attempts, err)
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// RevokeAPIKey revokes a key; revoking it again succeeds. A missing key is
// ErrNotFound; the caller decides whether that counts as success.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	path, err := resourcePath(apiKeysPath, id, "")
	if err != nil {
		return err
	}
	return c.do(ctx, call{method: http.MethodDelete, path: path})
}

// RotateAPIKey issues a successor with the same settings; the old key stays
// valid for the grace period. The returned Key holds the new secret.
func (c *Client) RotateAPIKey(ctx context.Context, id string, req RotateAPIKeyRequest) (*APIKey, error) {
	if req.GracePeriodSeconds < 0 {
		return nil, fmt.Errorf("keyservice: grace period must not be negative, got %d seconds", req.GracePeriodSeconds)
	}
	path, err := resourcePath(apiKeysPath, id, "rotate")
	if err != nil {
		return nil, err
	}
	var k APIKey
	if err := c.do(ctx, call{method: http.MethodPost, path: path, in: req, out: &k, etag: &k.ETag}); err != nil {
		return nil, err
	}
	return &k, nil
}

// RevokeAPIKeys revokes several keys in one request. No ids is a no-op.
func (c *Client) RevokeAPIKeys(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	in := struct {
		IDs []string `json:"ids"`
	}{ids}
	return c.do(ctx, call{method: http.MethodPost, path: apiKeysPath + "/revoke", in: in})
}
