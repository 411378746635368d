package keyservice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// CreateAPIKeyInput is a new key's settings; nil pointers take the defaults (active, no
// expiry, no service account, environment or scheduled rotation).
type CreateAPIKeyInput struct {
	ProjectID            string
	Name                 string
	Description          string
	Scopes               []string
	Active               *bool
	ExpiresAt            *time.Time
	ExpiresInDays        *int
	ServiceAccountID     *string
	EnvironmentID        *string
	RotationIntervalDays *int
	RotationWebhookURL   *string
}

// UpdateAPIKeyInput is a merge patch of a key: nil (or an Optional not Set) leaves a setting as
// it is; an Optional Set to nil clears it.
type UpdateAPIKeyInput struct {
	Name                 *string
	Description          *string
	Scopes               *[]string
	Active               *bool
	ExpiresAt            Optional[time.Time]
	RotationIntervalDays Optional[int]
	RotationWebhookURL   Optional[string]
	// IfMatch, when not empty, makes the update conditional on the key's entity tag (see
	// ETag), with HTTP's If-Match syntax: "*" or a list of tags, one of which must match.
	IfMatch string
}

// ListAPIKeysInput selects, orders and pages a project's keys: nil filters select all. SortBy
// is created_at (""), name or expires_at, prefixed with "-" for descending order; PageSize 0
// means the default (100).
type ListAPIKeysInput struct {
	ProjectID        string
	Name             *string
	NamePrefix       *string
	Active           *bool
	Scope            *string
	IncludeRevoked   bool
	ExpiresBefore    *time.Time
	ServiceAccountID *string
	EnvironmentID    *string
	SortBy           string
	PageSize         int
	PageToken        string
}

// IssuedKey is a stored key together with its secret, which exists only in the answer that
// creates it.
type IssuedKey struct {
	store.APIKey
	Secret string
}

// CreateAPIKey issues a key in the project, within the principal's grant ceiling: the only
// time its secret is known. It needs keys:write.
func (s *Service) CreateAPIKey(ctx context.Context, p Principal, in CreateAPIKeyInput) (IssuedKey, error) {
	if err := p.Require(RightWrite); err != nil {
		return IssuedKey{}, err
	}
	if in.ProjectID == "" {
		return IssuedKey{}, Invalid("project_id", "is required")
	}
	now := s.clock()
	if err := validateName("name", in.Name); err != nil {
		return IssuedKey{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return IssuedKey{}, err
	}
	scopes := in.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	if err := validateScopes(scopes); err != nil {
		return IssuedKey{}, err
	}
	expiresAt := in.ExpiresAt
	switch {
	case in.ExpiresAt != nil && in.ExpiresInDays != nil:
		return IssuedKey{}, Invalid("expires_in_days", "expires_at and expires_in_days are mutually exclusive")
	case in.ExpiresAt != nil:
		t := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		if err := validateFuture("expires_at", t, now); err != nil {
			return IssuedKey{}, err
		}
		expiresAt = &t
	case in.ExpiresInDays != nil:
		if err := validateDays("expires_in_days", *in.ExpiresInDays); err != nil {
			return IssuedKey{}, err
		}
		t := now.AddDate(0, 0, *in.ExpiresInDays)
		expiresAt = &t
	}
	if err := validateReferenceID("service_account_id", in.ServiceAccountID); err != nil {
		return IssuedKey{}, err
	}
	if err := validateReferenceID("environment_id", in.EnvironmentID); err != nil {
		return IssuedKey{}, err
	}
	var nextRotation *time.Time
	if in.RotationIntervalDays != nil {
		if err := validateDays("rotation_interval_days", *in.RotationIntervalDays); err != nil {
			return IssuedKey{}, err
		}
		t := now.AddDate(0, 0, *in.RotationIntervalDays)
		nextRotation = &t
	}
	if in.RotationWebhookURL != nil {
		if err := validateWebhookURL("rotation_webhook_url", *in.RotationWebhookURL); err != nil {
			return IssuedKey{}, err
		}
	}
	if err := p.withinCeiling(scopes, expiresAt); err != nil {
		return IssuedKey{}, err
	}
	if _, err := s.accessProject(ctx, p, in.ProjectID, "project_id"); err != nil {
		return IssuedKey{}, err
	}
	if in.ServiceAccountID != nil {
		if _, err := s.loadOwnedServiceAccount(ctx, in.ProjectID, *in.ServiceAccountID); err != nil {
			return IssuedKey{}, err
		}
	}
	environment := ""
	if in.EnvironmentID != nil {
		e, err := s.loadEnvironment(ctx, *in.EnvironmentID, "environment_id")
		if err == nil && e.ProjectID != in.ProjectID {
			err = environmentNotFound("environment_id")
		}
		if err != nil {
			return IssuedKey{}, err
		}
		environment = e.Name
	}
	if err := s.stepUp(ctx, p, in.ProjectID); err != nil {
		return IssuedKey{}, err
	}
	active := true
	if in.Active != nil {
		active = *in.Active
	}
	k := store.APIKey{
		ProjectID:            in.ProjectID,
		ServiceAccountID:     in.ServiceAccountID,
		EnvironmentID:        in.EnvironmentID,
		Name:                 in.Name,
		Description:          in.Description,
		Scopes:               scopes,
		Active:               active,
		ExpiresAt:            expiresAt,
		CreatedAt:            now,
		UpdatedAt:            now,
		RotationIntervalDays: in.RotationIntervalDays,
		NextRotationAt:       nextRotation,
		RotationWebhookURL:   in.RotationWebhookURL,
	}
	issued, err := s.issue(k, environment)
	if err != nil {
		return IssuedKey{}, err
	}
	ch := keyEvent(p.source(), ActionAPIKeyCreate, issued.APIKey, createdAPIKeyChanges(issued.APIKey),
		lifecycle(EventAPIKeyCreated, issued.APIKey, now, nil), now)
	if err := s.store.CreateAPIKey(ctx, issued.APIKey, ch); err != nil {
		var missing *store.MissingError
		switch {
		case errors.As(err, &missing):
			// Deleted between the checks above and the insert.
			field := "service_account_id"
			if in.EnvironmentID != nil && missing.ID == *in.EnvironmentID {
				field = "environment_id"
			}
			if field == "environment_id" {
				return IssuedKey{}, environmentNotFound(field)
			}
			return IssuedKey{}, serviceAccountNotFound(field)
		case errors.Is(err, store.ErrConflict):
			return IssuedKey{}, conflict("name", "a live API key named %q already exists in project %s", in.Name, in.ProjectID)
		}
		return IssuedKey{}, fmt.Errorf("create api key: %w", err)
	}
	return issued, nil
}

// loadOwnedServiceAccount returns the live service account id of projectID, for a key to
// belong to; one of another project is not found either, so ids do not leak across projects.
func (s *Service) loadOwnedServiceAccount(ctx context.Context, projectID, id string) (store.ServiceAccount, error) {
	a, err := s.store.GetServiceAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (a.DeletedAt != nil || a.ProjectID != projectID)) {
		return store.ServiceAccount{}, serviceAccountNotFound("service_account_id")
	}
	if err != nil {
		return store.ServiceAccount{}, fmt.Errorf("load service account: %w", err)
	}
	return a, nil
}

// issue gives k a fresh id and secret; a non-empty environment name goes into the secret.
func (s *Service) issue(k store.APIKey, environment string) (IssuedKey, error) {
	id, err := newID(apiKeyIDPrefix)
	if err != nil {
		return IssuedKey{}, err
	}
	secret, err := GenerateKey(environment)
	if err != nil {
		return IssuedKey{}, err
	}
	k.ID = id
	k.KeyPrefix = KeyPrefix(secret)
	k.KeyHash = s.hasher.hash(secret)
	k.HashVersion = currentHashVersion
	k.Version = 1 // what the store gives a new row
	return IssuedKey{APIKey: k, Secret: secret}, nil
}

// accessAPIKey loads a key the principal may see; one of a project it does not reach is not
// found, exactly as an unknown id.
func (s *Service) accessAPIKey(ctx context.Context, p Principal, id string) (store.APIKey, error) {
	k, err := s.loadAPIKey(ctx, id, "id")
	if err != nil {
		return store.APIKey{}, err
	}
	if !p.reaches(k.ProjectID) {
		return store.APIKey{}, apiKeyNotFound("id")
	}
	return k, nil
}

// GetAPIKey returns a key, revoked or replaced ones included; never its secret. It needs
// keys:read.
func (s *Service) GetAPIKey(ctx context.Context, p Principal, id string) (store.APIKey, error) {
	if err := p.Require(RightRead); err != nil {
		return store.APIKey{}, err
	}
	return s.accessAPIKey(ctx, p, id)
}

// ListAPIKeys returns one page of a project's keys. It needs keys:read.
func (s *Service) ListAPIKeys(ctx context.Context, p Principal, in ListAPIKeysInput) (Page[APIKey], error) {
	if err := p.Require(RightRead); err != nil {
		return Page[APIKey]{}, err
	}
	if err := requireProjectID(in.ProjectID); err != nil {
		return Page[APIKey]{}, err
	}
	sortBy, desc, err := parseSort(in.SortBy, store.SortByCreatedAt, store.SortByName, store.SortByExpiresAt)
	if err != nil {
		return Page[APIKey]{}, err
	}
	q, err := openPage(in.PageSize, in.PageToken, "api_keys", in.ProjectID, opt(in.Name), opt(in.NamePrefix), optBool(in.Active),
		opt(in.Scope), strconv.FormatBool(in.IncludeRevoked), optTime(in.ExpiresBefore),
		opt(in.ServiceAccountID), opt(in.EnvironmentID), sortKey(sortBy, desc))
	if err != nil {
		return Page[APIKey]{}, err
	}
	if _, err := s.accessProject(ctx, p, in.ProjectID, "project_id"); err != nil {
		return Page[APIKey]{}, err
	}
	items, err := s.store.ListAPIKeys(ctx, store.APIKeyFilter{
		ProjectID:        in.ProjectID,
		Name:             in.Name,
		NamePrefix:       in.NamePrefix,
		Active:           in.Active,
		Scope:            in.Scope,
		IncludeRevoked:   in.IncludeRevoked,
		ExpiresBefore:    in.ExpiresBefore,
		ServiceAccountID: in.ServiceAccountID,
		EnvironmentID:    in.EnvironmentID,
		SortBy:           sortBy,
		Descending:       desc,
		After:            q.after,
		Limit:            q.limit(),
	})
	if err != nil {
		return Page[APIKey]{}, fmt.Errorf("list api keys: %w", err)
	}
	for i := range items {
		s.usage.overlay(&items[i])
	}
	return closePage(q, items, sortBy.CursorAfter), nil
}

// The fingerprint must tell "absent" from "empty", hence the markers.
func opt(s *string) string {
	if s == nil {
		return "\x01"
	}
	return "=" + *s
}

func optBool(b *bool) string {
	if b == nil {
		return "\x01"
	}
	return strconv.FormatBool(*b)
}

func optTime(t *time.Time) string {
	if t == nil {
		return "\x01"
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

// requireLive refuses changes to keys that left the live set.
func requireLive(k store.APIKey) error {
	if k.RevokedAt != nil {
		return conflict("id", "API key %s is revoked", k.ID)
	}
	if k.ReplacedByKeyID != nil {
		return conflict("id", "API key %s was replaced by %s in a rotation", k.ID, *k.ReplacedByKeyID)
	}
	return nil
}

// updateAPIKeyOnce is one read-modify-write of UpdateAPIKey; stepUp is the request's (see
// stepUpOnce).
func (s *Service) updateAPIKeyOnce(ctx context.Context, p Principal, id string, in UpdateAPIKeyInput, stepUp func(string) error) (store.APIKey, error) {
	k, err := s.accessAPIKey(ctx, p, id)
	if err != nil {
		return store.APIKey{}, err
	}
	if err := requireLive(k); err != nil {
		return store.APIKey{}, err
	}
	if in.IfMatch != "" && !ifMatchSatisfied(in.IfMatch, ETag(k)) {
		return store.APIKey{}, preconditionFailed(k, in.IfMatch)
	}
	old := k
	now := s.clock()
	if in.Name != nil {
		if err := validateName("name", *in.Name); err != nil {
			return store.APIKey{}, err
		}
		k.Name = *in.Name
	}
	if in.Description != nil {
		if err := validateDescription("description", *in.Description); err != nil {
			return store.APIKey{}, err
		}
		k.Description = *in.Description
	}
	if in.Scopes != nil {
		scopes := *in.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		if err := validateScopes(scopes); err != nil {
			return store.APIKey{}, err
		}
		k.Scopes = scopes
	}
	if in.Active != nil {
		k.Active = *in.Active
	}
	if in.ExpiresAt.Set {
		k.ExpiresAt = nil
		if in.ExpiresAt.Value != nil {
			t := in.ExpiresAt.Value.UTC().Truncate(time.Microsecond)
			if err := validateFuture("expires_at", t, now); err != nil {
				return store.APIKey{}, err
			}
			k.ExpiresAt = &t
		}
	}
	if in.RotationIntervalDays.Set {
		v := in.RotationIntervalDays.Value
		switch {
		case v == nil:
			k.RotationIntervalDays, k.NextRotationAt = nil, nil
		case k.RotationIntervalDays == nil || *k.RotationIntervalDays != *v:
			if err := validateDays("rotation_interval_days", *v); err != nil {
				return store.APIKey{}, err
			}
			days := *v
			next := now.AddDate(0, 0, days)
			k.RotationIntervalDays, k.NextRotationAt = &days, &next
		}
	}
	if in.RotationWebhookURL.Set {
		if v := in.RotationWebhookURL.Value; v != nil {
			if err := validateWebhookURL("rotation_webhook_url", *v); err != nil {
				return store.APIKey{}, err
			}
		}
		k.RotationWebhookURL = in.RotationWebhookURL.Value
	}
	// Disabling is the one change allowed on any key of the project: it takes rights away. Any
	// other change must leave the key within the principal's ceiling, or it could re-enable,
	// widen, extend, or route the rotated secrets of a key that holds more than the principal.
	if !disablesOnly(old, k) {
		if err := p.withinCeiling(k.Scopes, k.ExpiresAt); err != nil {
			return store.APIKey{}, err
		}
	}
	if err := stepUp(k.ProjectID); err != nil {
		return store.APIKey{}, err
	}
	k.UpdatedAt = now
	changes := apiKeyChanges(old, k)
	action := ActionAPIKeyUpdate
	switch {
	case old.Active && !k.Active:
		action = ActionAPIKeyDisable
	case !old.Active && k.Active:
		action = ActionAPIKeyEnable
	}
	ch := keyEvent(p.source(), action, k, changes,
		lifecycle(EventAPIKeyUpdated, k, now, func(e *lifecycleEvent) { e.Changes = changes }), now)
	if err := s.store.UpdateAPIKey(ctx, k, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// The name is taken, or the key stopped being live or was written meanwhile.
			if cur, gerr := s.store.GetAPIKey(ctx, id); gerr == nil {
				if lerr := requireLive(cur); lerr != nil {
					return store.APIKey{}, lerr
				}
				if cur.Version != k.Version {
					return store.APIKey{}, errVersionMoved
				}
			}
			return store.APIKey{}, conflict("name", "a live API key named %q already exists in project %s", k.Name, k.ProjectID)
		}
		return store.APIKey{}, fmt.Errorf("update api key: %w", err)
	}
	k.Version++
	return k, nil
}

// disablesOnly reports whether after is before disabled, and nothing else changed.
func disablesOnly(before, after store.APIKey) bool {
	return !after.Active && before.Name == after.Name && before.Description == after.Description &&
		slices.Equal(before.Scopes, after.Scopes) && equalPtr(before.ExpiresAt, after.ExpiresAt, time.Time.Equal) &&
		equalPtr(before.RotationIntervalDays, after.RotationIntervalDays, func(a, b int) bool { return a == b }) &&
		equalPtr(before.NextRotationAt, after.NextRotationAt, time.Time.Equal) &&
		equalPtr(before.RotationWebhookURL, after.RotationWebhookURL, func(a, b string) bool { return a == b })
}

func equalPtr[T any](a, b *T, eq func(T, T) bool) bool {
	if a == nil || b == nil {
		return a == b
	}
	return eq(*a, *b)
}

// RevokeAPIKey revokes a key: it stops working at once. Revoking a revoked key changes nothing.
// It needs keys:write, and may revoke any key of the project, one holding more than the
// principal too.
func (s *Service) RevokeAPIKey(ctx context.Context, p Principal, id string) error {
	if err := p.Require(RightWrite); err != nil {
		return err
	}
	k, err := s.accessAPIKey(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.stepUp(ctx, p, k.ProjectID); err != nil {
		return err
	}
	now := s.clock()
	if err := s.store.RevokeAPIKeys(ctx, []string{id}, now, store.Changes{ForRevokedKey: revokedBy(p.source(), now)}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return apiKeyNotFound("id")
		}
		return fmt.Errorf("revoke api key: %w", err)
	}
	return nil
}

// RevokeAPIKeys revokes all listed keys or none of them, and returns their ids, each once. It
// needs keys:write.
func (s *Service) RevokeAPIKeys(ctx context.Context, p Principal, ids []string) ([]string, error) {
	if err := p.Require(RightWrite); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, Invalid("ids", "must list at least one id")
	}
	if len(ids) > maxRevokeBatchSize {
		return nil, Invalid("ids", "at most %d ids are allowed", maxRevokeBatchSize)
	}
	unique := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if id == "" {
			return nil, Invalid(fmt.Sprintf("ids[%d]", i), "must not be empty")
		}
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	// Every id is looked up before any code is checked: a list with an id the principal cannot
	// see is refused whole, and keeps its code.
	var projects []string
	for i, id := range ids {
		k, err := s.store.GetAPIKey(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !p.reaches(k.ProjectID)) {
			return nil, apiKeyNotFound(fmt.Sprintf("ids[%d]", i))
		}
		if err != nil {
			return nil, fmt.Errorf("revoke api keys: %w", err)
		}
		if !slices.Contains(projects, k.ProjectID) {
			projects = append(projects, k.ProjectID)
		}
	}
	for _, projectID := range projects {
		if err := s.stepUp(ctx, p, projectID); err != nil {
			return nil, err
		}
	}
	now := s.clock()
	if err := s.store.RevokeAPIKeys(ctx, unique, now, store.Changes{ForRevokedKey: revokedBy(p.source(), now)}); err != nil {
		var missing *store.MissingError
		if errors.As(err, &missing) {
			return nil, apiKeyNotFound("ids")
		}
		return nil, fmt.Errorf("revoke api keys: %w", err)
	}
	return unique, nil
}
