package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// setETag sets the key's entity tag (its version), which PATCH takes back in If-Match.
func setETag(w http.ResponseWriter, k keyservice.APIKey) {
	w.Header().Set("ETag", keyservice.ETag(k))
}

func (s *Server) handleCreateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeCreateAPIKey(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k, err := s.svc.CreateAPIKey(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, k.APIKey)
	writeJSON(w, http.StatusCreated, createdAPIKeyJSON{apiKeyJSON: toAPIKeyJSON(k.APIKey), Key: k.Secret})
}

func (s *Server) handleListAPIKeys(w http.ResponseWriter, r *http.Request) {
	in, err := listAPIKeysQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.svc.ListAPIKeys(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(page, toAPIKeyJSON))
}

func listAPIKeysQuery(q url.Values) (keyservice.ListAPIKeysInput, error) {
	in := keyservice.ListAPIKeysInput{
		ProjectID: q.Get("project_id"),
		SortBy:    q.Get("sort_by"),
		PageToken: q.Get("page_token"),
	}
	str := func(name string) *string {
		if !q.Has(name) {
			return nil
		}
		v := q.Get(name)
		return &v
	}
	in.Name = str("name")
	in.NamePrefix = str("name_prefix")
	in.Scope = str("scope")
	in.ServiceAccountID = str("service_account_id")
	in.EnvironmentID = str("environment_id")
	if q.Has("active") {
		b, err := strconv.ParseBool(q.Get("active"))
		if err != nil {
			return keyservice.ListAPIKeysInput{}, keyservice.Invalid("active", "must be true or false")
		}
		in.Active = &b
	}
	if q.Has("include_revoked") {
		b, err := strconv.ParseBool(q.Get("include_revoked"))
		if err != nil {
			return keyservice.ListAPIKeysInput{}, keyservice.Invalid("include_revoked", "must be true or false")
		}
		in.IncludeRevoked = b
	}
	if q.Has("expires_before") {
		t, err := parseTimestamp("expires_before", q.Get("expires_before"))
		if err != nil {
			return keyservice.ListAPIKeysInput{}, err
		}
		in.ExpiresBefore = &t
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		return keyservice.ListAPIKeysInput{}, err
	}
	return in, nil
}

func (s *Server) handleGetAPIKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.svc.GetAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, k)
	writeJSON(w, http.StatusOK, toAPIKeyJSON(k))
}

func (s *Server) handleUpdateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeUpdateAPIKey(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in.IfMatch = r.Header.Get("If-Match")
	k, err := s.svc.UpdateAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, k)
	writeJSON(w, http.StatusOK, toAPIKeyJSON(k))
}

func (s *Server) handleRevokeAPIKey(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.RevokeAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRotateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	grace, err := decodeRotateAPIKey(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rot, err := s.svc.RotateAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"), grace)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, rot.Next.APIKey)
	writeJSON(w, http.StatusCreated, rotatedAPIKeyJSON{
		apiKeyJSON:                toAPIKeyJSON(rot.Next.APIKey),
		Key:                       rot.Next.Secret,
		PreviousKeyID:             rot.Previous.ID,
		PreviousKeyGraceExpiresAt: keyservice.FormatTimePtr(rot.Previous.GraceExpiresAt),
	})
}

func (s *Server) handleRevokeAPIKeys(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, err := decodeRevokeAPIKeys(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	revoked, err := s.svc.RevokeAPIKeys(r.Context(), principalFrom(r.Context()), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, revokedJSON{Revoked: revoked})
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

type revokedJSON struct {
	Revoked []string `json:"revoked"`
}

func toAPIKeyJSON(k keyservice.APIKey) apiKeyJSON {
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
		ExpiresAt:            keyservice.FormatTimePtr(k.ExpiresAt),
		LastUsedAt:           keyservice.FormatTimePtr(k.LastUsedAt),
		CreatedAt:            keyservice.FormatTime(k.CreatedAt),
		UpdatedAt:            keyservice.FormatTime(k.UpdatedAt),
		RevokedAt:            keyservice.FormatTimePtr(k.RevokedAt),
		ReplacedByKeyID:      k.ReplacedByKeyID,
		GraceExpiresAt:       keyservice.FormatTimePtr(k.GraceExpiresAt),
		RotationIntervalDays: k.RotationIntervalDays,
		NextRotationAt:       keyservice.FormatTimePtr(k.NextRotationAt),
		RotationWebhookURL:   k.RotationWebhookURL,
	}
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

func decodeCreateAPIKey(body []byte) (keyservice.CreateAPIKeyInput, error) {
	var req createAPIKeyRequest
	if err := decodeStrict(body, &req); err != nil {
		return keyservice.CreateAPIKeyInput{}, err
	}
	in := keyservice.CreateAPIKeyInput{
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
			return keyservice.CreateAPIKeyInput{}, err
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
func decodeUpdateAPIKey(body []byte) (keyservice.UpdateAPIKeyInput, error) {
	m, err := patchObject(body, updateAPIKeyFields...)
	if err != nil {
		return keyservice.UpdateAPIKeyInput{}, err
	}
	var in keyservice.UpdateAPIKeyInput
	for _, field := range updateAPIKeyFields {
		raw, ok := m[field]
		if !ok {
			continue
		}
		null := isNull(raw)
		switch field {
		case "name":
			if null {
				return keyservice.UpdateAPIKeyInput{}, keyservice.Invalid(field, "must not be null")
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
				return keyservice.UpdateAPIKeyInput{}, keyservice.Invalid(field, "must not be null")
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
			return keyservice.UpdateAPIKeyInput{}, err
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
	if secs < 0 || secs > int64(keyservice.MaxGracePeriod/time.Second) {
		return 0, keyservice.Invalid("grace_period_seconds", "must be between 0 and %d", int64(keyservice.MaxGracePeriod/time.Second))
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
