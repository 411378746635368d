package keyservice

import (
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Wire representations. Every field is always present; unset values are
// null, never omitted, so clients can tell "cleared" from "not sent".

type projectJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	RequireOTP  bool   `json:"require_otp"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

// projectWithSecretJSON is the only representation carrying the webhook
// signing secret: the create and rotate-secret responses.
type projectWithSecretJSON struct {
	projectJSON
	WebhookSigningSecret string `json:"webhook_signing_secret"`
}

type serviceAccountJSON struct {
	ID          string `json:"id"`
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      bool   `json:"active"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

type serviceAccountListJSON struct {
	Items         []serviceAccountJSON `json:"items"`
	NextPageToken string               `json:"next_page_token"`
}

type environmentJSON struct {
	ID          string `json:"id"`
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

type environmentListJSON struct {
	Items         []environmentJSON `json:"items"`
	NextPageToken string            `json:"next_page_token"`
}

type projectListJSON struct {
	Items         []projectJSON `json:"items"`
	NextPageToken string        `json:"next_page_token"`
}

type apiKeyJSON struct {
	ID                   string   `json:"id"`
	ProjectID            string   `json:"project_id"`
	ServiceAccountID     *string  `json:"service_account_id"`
	EnvironmentID        *string  `json:"environment_id"`
	Name                 string   `json:"name"`
	Description          string   `json:"description"`
	KeyPrefix            string   `json:"key_prefix"`
	Scopes               []string `json:"scopes"`
	Active               bool     `json:"active"`
	ExpiresAt            *string  `json:"expires_at"`
	LastUsedAt           *string  `json:"last_used_at"`
	CreatedAt            string   `json:"created_at"`
	UpdatedAt            string   `json:"updated_at"`
	RevokedAt            *string  `json:"revoked_at"`
	ReplacedByKeyID      *string  `json:"replaced_by_key_id"`
	GraceExpiresAt       *string  `json:"grace_expires_at"`
	RotationIntervalDays *int     `json:"rotation_interval_days"`
	NextRotationAt       *string  `json:"next_rotation_at"`
	RotationWebhookURL   *string  `json:"rotation_webhook_url"`
}

// createdAPIKeyJSON is the only representation carrying the secret.
type createdAPIKeyJSON struct {
	apiKeyJSON
	Key string `json:"key"`
}

type rotatedAPIKeyJSON struct {
	apiKeyJSON
	Key                       string  `json:"key"`
	PreviousKeyID             string  `json:"previous_key_id"`
	PreviousKeyGraceExpiresAt *string `json:"previous_key_grace_expires_at"`
}

type apiKeyListJSON struct {
	Items         []apiKeyJSON `json:"items"`
	NextPageToken string       `json:"next_page_token"`
}

type verifiedKeyJSON struct {
	ID               string   `json:"id"`
	ProjectID        string   `json:"project_id"`
	ServiceAccountID *string  `json:"service_account_id"`
	EnvironmentID    *string  `json:"environment_id"`
	Scopes           []string `json:"scopes"`
	ExpiresAt        *string  `json:"expires_at"`
}

type revokedJSON struct {
	Revoked []string `json:"revoked"`
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

func toProjectJSON(p store.Project) projectJSON {
	return projectJSON{
		ID: p.ID, Name: p.Name, Description: p.Description, RequireOTP: p.OTPSecret != nil,
		CreatedAt: formatTime(p.CreatedAt), UpdatedAt: formatTime(p.UpdatedAt),
	}
}

func toServiceAccountJSON(a store.ServiceAccount) serviceAccountJSON {
	return serviceAccountJSON{
		ID: a.ID, ProjectID: a.ProjectID, Name: a.Name, Description: a.Description, Active: a.Active,
		CreatedAt: formatTime(a.CreatedAt), UpdatedAt: formatTime(a.UpdatedAt),
	}
}

func toEnvironmentJSON(e store.Environment) environmentJSON {
	return environmentJSON{
		ID: e.ID, ProjectID: e.ProjectID, Name: e.Name, Description: e.Description,
		CreatedAt: formatTime(e.CreatedAt), UpdatedAt: formatTime(e.UpdatedAt),
	}
}

func toAPIKeyJSON(k store.APIKey) apiKeyJSON {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return apiKeyJSON{
		ID:                   k.ID,
		ProjectID:            k.ProjectID,
		ServiceAccountID:     k.ServiceAccountID,
		EnvironmentID:        k.EnvironmentID,
		Name:                 k.Name,
		Description:          k.Description,
		KeyPrefix:            k.KeyPrefix,
		Scopes:               scopes,
		Active:               k.Active,
		ExpiresAt:            formatTimePtr(k.ExpiresAt),
		LastUsedAt:           formatTimePtr(k.LastUsedAt),
		CreatedAt:            formatTime(k.CreatedAt),
		UpdatedAt:            formatTime(k.UpdatedAt),
		RevokedAt:            formatTimePtr(k.RevokedAt),
		ReplacedByKeyID:      k.ReplacedByKeyID,
		GraceExpiresAt:       formatTimePtr(k.GraceExpiresAt),
		RotationIntervalDays: k.RotationIntervalDays,
		NextRotationAt:       formatTimePtr(k.NextRotationAt),
		RotationWebhookURL:   k.RotationWebhookURL,
	}
}

func toVerifiedKeyJSON(k store.APIKey) verifiedKeyJSON {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return verifiedKeyJSON{
		ID: k.ID, ProjectID: k.ProjectID,
		ServiceAccountID: k.ServiceAccountID, EnvironmentID: k.EnvironmentID,
		Scopes: scopes, ExpiresAt: formatTimePtr(k.ExpiresAt),
	}
}
