package client

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// VerifyResult is what the key service knows about a usable key.
type VerifyResult struct {
	ID               string     `json:"id"`
	ProjectID        string     `json:"project_id"`
	ServiceAccountID *string    `json:"service_account_id"`
	EnvironmentID    *string    `json:"environment_id"`
	Scopes           []string   `json:"scopes"`
	ExpiresAt        *time.Time `json:"expires_at"`
}

// Verify checks key and records its use. A key that is unknown, revoked,
// expired or disabled is ErrUnauthorized. The key is the only credential
// checked, so the client's own token is not sent along with it.
func (c *Client) Verify(ctx context.Context, key string) (*VerifyResult, error) {
	if key == "" {
		return nil, errors.New("keyservice: verify needs a key")
	}
	var res VerifyResult
	in := struct {
		Key string `json:"key"`
	}{key}
	if err := c.do(ctx, call{method: http.MethodPost, path: "/v1/verify", in: in, out: &res, anonymous: true}); err != nil {
		return nil, err
	}
	return &res, nil
}
