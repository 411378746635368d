package keyservice

import (
	"encoding/json"
	"time"
)

// Request decoding: bytes in, typed domain input out. Format errors (types,
// unknown fields, timestamps) are reported here naming the field; the rules
// themselves live in the domain.

type createProjectRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func decodeCreateProject(body []byte) (createProjectInput, error) {
	var req createProjectRequest
	if err := decodeStrict(body, &req); err != nil {
		return createProjectInput{}, err
	}
	return createProjectInput(req), nil
}

func decodeUpdateProject(body []byte) (updateProjectInput, error) {
	m, err := patchObject(body, "name", "description")
	if err != nil {
		return updateProjectInput{}, err
	}
	var in updateProjectInput
	if raw, ok := m["name"]; ok {
		if isNull(raw) {
			return updateProjectInput{}, invalid("name", "must not be null")
		}
		in.Name = new(string)
		if err := patchField(raw, "name", in.Name); err != nil {
			return updateProjectInput{}, err
		}
	}
	if raw, ok := m["description"]; ok {
		in.Description = new(string) // null clears to ""
		if err := patchField(raw, "description", in.Description); err != nil {
			return updateProjectInput{}, err
		}
	}
	return in, nil
}

type createServiceAccountRequest struct {
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      *bool  `json:"active"`
}

func decodeCreateServiceAccount(body []byte) (createServiceAccountInput, error) {
	var req createServiceAccountRequest
	if err := decodeStrict(body, &req); err != nil {
		return createServiceAccountInput{}, err
	}
	return createServiceAccountInput(req), nil
}

func decodeUpdateServiceAccount(body []byte) (updateServiceAccountInput, error) {
	m, err := patchObject(body, "name", "description", "active")
	if err != nil {
		return updateServiceAccountInput{}, err
	}
	var in updateServiceAccountInput
	if in.Name, err = patchNonNull[string](m, "name"); err != nil {
		return updateServiceAccountInput{}, err
	}
	if in.Active, err = patchNonNull[bool](m, "active"); err != nil {
		return updateServiceAccountInput{}, err
	}
	if in.Description, err = patchDescription(m); err != nil {
		return updateServiceAccountInput{}, err
	}
	return in, nil
}

type createEnvironmentRequest struct {
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func decodeCreateEnvironment(body []byte) (createEnvironmentInput, error) {
	var req createEnvironmentRequest
	if err := decodeStrict(body, &req); err != nil {
		return createEnvironmentInput{}, err
	}
	return createEnvironmentInput(req), nil
}

func decodeUpdateEnvironment(body []byte) (updateEnvironmentInput, error) {
	m, err := patchObject(body, "name", "description")
	if err != nil {
		return updateEnvironmentInput{}, err
	}
	var in updateEnvironmentInput
	if in.Name, err = patchNonNull[string](m, "name"); err != nil {
		return updateEnvironmentInput{}, err
	}
	if in.Description, err = patchDescription(m); err != nil {
		return updateEnvironmentInput{}, err
	}
	return in, nil
}

// patchNonNull reads a merge-patch member that may be absent (nil) but not null.
func patchNonNull[T any](m map[string]json.RawMessage, field string) (*T, error) {
	raw, ok := m[field]
	if !ok {
		return nil, nil
	}
	if isNull(raw) {
		return nil, invalid(field, "must not be null")
	}
	v := new(T)
	if err := patchField(raw, field, v); err != nil {
		return nil, err
	}
	return v, nil
}

// patchDescription reads "description", where null clears to "".
func patchDescription(m map[string]json.RawMessage) (*string, error) {
	raw, ok := m["description"]
	if !ok {
		return nil, nil
	}
	d := new(string)
	if err := patchField(raw, "description", d); err != nil {
		return nil, err
	}
	return d, nil
}

type createAPIKeyRequest struct {
	ProjectID            string   `json:"project_id"`
	Name                 string   `json:"name"`
	Description          string   `json:"description"`
	Scopes               []string `json:"scopes"`
	Active               *bool    `json:"active"`
	ExpiresAt            *string  `json:"expires_at"`
	ExpiresInDays        *int     `json:"expires_in_days"`
	ServiceAccountID     *string  `json:"service_account_id"`
	EnvironmentID        *string  `json:"environment_id"`
	RotationIntervalDays *int     `json:"rotation_interval_days"`
	RotationWebhookURL   *string  `json:"rotation_webhook_url"`
}

func decodeCreateAPIKey(body []byte) (createAPIKeyInput, error) {
	var req createAPIKeyRequest
	if err := decodeStrict(body, &req); err != nil {
		return createAPIKeyInput{}, err
	}
	in := createAPIKeyInput{
		ProjectID:            req.ProjectID,
		Name:                 req.Name,
		Description:          req.Description,
		Scopes:               req.Scopes,
		Active:               req.Active,
		ExpiresInDays:        req.ExpiresInDays,
		ServiceAccountID:     req.ServiceAccountID,
		EnvironmentID:        req.EnvironmentID,
		RotationIntervalDays: req.RotationIntervalDays,
		RotationWebhookURL:   req.RotationWebhookURL,
	}
	if req.ExpiresAt != nil {
		t, err := parseTimestamp("expires_at", *req.ExpiresAt)
		if err != nil {
			return createAPIKeyInput{}, err
		}
		in.ExpiresAt = &t
	}
	return in, nil
}

var updateAPIKeyFields = []string{
	"name", "description", "scopes", "active", "expires_at",
	"rotation_interval_days", "rotation_webhook_url",
}

// decodeUpdateAPIKey reads a JSON merge patch: absent members are unchanged,
// null clears nullable ones (description and scopes clear to empty).
func decodeUpdateAPIKey(body []byte) (updateAPIKeyInput, error) {
	m, err := patchObject(body, updateAPIKeyFields...)
	if err != nil {
		return updateAPIKeyInput{}, err
	}
	var in updateAPIKeyInput
	for _, field := range updateAPIKeyFields {
		raw, ok := m[field]
		if !ok {
			continue
		}
		null := isNull(raw)
		switch field {
		case "name":
			if null {
				return updateAPIKeyInput{}, invalid(field, "must not be null")
			}
			in.Name = new(string)
			err = patchField(raw, field, in.Name)
		case "description":
			in.Description = new(string)
			err = patchField(raw, field, in.Description)
		case "scopes":
			scopes := []string{}
			if !null {
				err = patchField(raw, field, &scopes)
			}
			in.Scopes = &scopes
		case "active":
			if null {
				return updateAPIKeyInput{}, invalid(field, "must not be null")
			}
			in.Active = new(bool)
			err = patchField(raw, field, in.Active)
		case "expires_at":
			in.ExpiresAt.Set = true
			if !null {
				var s string
				if err = patchField(raw, field, &s); err == nil {
					var t time.Time
					if t, err = parseTimestamp(field, s); err == nil {
						in.ExpiresAt.Value = &t
					}
				}
			}
		case "rotation_interval_days":
			in.RotationIntervalDays.Set = true
			if !null {
				in.RotationIntervalDays.Value = new(int)
				err = patchField(raw, field, in.RotationIntervalDays.Value)
			}
		case "rotation_webhook_url":
			in.RotationWebhookURL.Set = true
			if !null {
				in.RotationWebhookURL.Value = new(string)
				err = patchField(raw, field, in.RotationWebhookURL.Value)
			}
		}
		if err != nil {
			return updateAPIKeyInput{}, err
		}
	}
	return in, nil
}

type rotateAPIKeyRequest struct {
	GracePeriodSeconds *int64 `json:"grace_period_seconds"`
}

func decodeRotateAPIKey(body []byte) (time.Duration, error) {
	var req rotateAPIKeyRequest
	if err := decodeStrict(body, &req); err != nil {
		return 0, err
	}
	if req.GracePeriodSeconds == nil {
		return 0, nil
	}
	secs := *req.GracePeriodSeconds
	if secs < 0 || secs > int64(maxGracePeriod/time.Second) {
		return 0, invalid("grace_period_seconds", "must be between 0 and %d", int64(maxGracePeriod/time.Second))
	}
	return time.Duration(secs) * time.Second, nil
}

type revokeAPIKeysRequest struct {
	IDs []string `json:"ids"`
}

func decodeRevokeAPIKeys(body []byte) ([]string, error) {
	var req revokeAPIKeysRequest
	if err := decodeStrict(body, &req); err != nil {
		return nil, err
	}
	return req.IDs, nil
}

type verifyRequest struct {
	Key string `json:"key"`
}

func decodeVerify(body []byte) (string, error) {
	var req verifyRequest
	if err := decodeStrict(body, &req); err != nil {
		return "", err
	}
	return req.Key, nil
}

func parseTimestamp(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalid(field, "must be an RFC 3339 timestamp")
	}
	return t, nil
}
