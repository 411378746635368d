package keyservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// CreateServiceAccountInput is a new service account; Active nil means active.
type CreateServiceAccountInput struct {
	ProjectID   string
	Name        string
	Description string
	Active      *bool
}

// UpdateServiceAccountInput is a merge patch of a service account: nil leaves a field as it is.
type UpdateServiceAccountInput struct {
	Name        *string
	Description *string
	Active      *bool
}

// ListServiceAccountsInput selects, orders and pages a project's service accounts: nil filters
// select all; SortBy is created_at ("") or name, prefixed with "-" for descending order.
type ListServiceAccountsInput struct {
	ProjectID  string
	Name       *string
	NamePrefix *string
	Active     *bool
	SortBy     string
	PageSize   int
	PageToken  string
}

// ServiceAccountRef addresses a service account by id, or by name when
// ProjectID is set (GET /v1/service-accounts/{name}?project_id=…).
type ServiceAccountRef struct {
	IDOrName  string
	ProjectID string
}

// CreateServiceAccount creates a service account in the project. It needs keys:admin.
func (s *Service) CreateServiceAccount(ctx context.Context, p Principal, in CreateServiceAccountInput) (store.ServiceAccount, error) {
	if err := p.Require(RightAdmin); err != nil {
		return store.ServiceAccount{}, err
	}
	if in.ProjectID == "" {
		return store.ServiceAccount{}, Invalid("project_id", "is required")
	}
	if err := validateName("name", in.Name); err != nil {
		return store.ServiceAccount{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return store.ServiceAccount{}, err
	}
	if _, err := s.accessProject(ctx, p, in.ProjectID, "project_id"); err != nil {
		return store.ServiceAccount{}, err
	}
	if err := s.stepUp(ctx, p, in.ProjectID); err != nil {
		return store.ServiceAccount{}, err
	}
	id, err := newID(serviceAccountIDPrefix)
	if err != nil {
		return store.ServiceAccount{}, err
	}
	now := s.clock()
	a := store.ServiceAccount{
		ID: id, ProjectID: in.ProjectID, Name: in.Name, Description: in.Description,
		Active: in.Active == nil || *in.Active, CreatedAt: now, UpdatedAt: now,
	}
	changes := fieldChanges{"name": {Old: nil, New: a.Name}, "active": {Old: nil, New: a.Active}}
	if a.Description != "" {
		changes["description"] = store.FieldChange{Old: nil, New: a.Description}
	}
	ch := audited(auditEvent(p.source(), a.ProjectID, ActionServiceAccountCreate, serviceAccountTarget(a), changes, now))
	if err := s.store.CreateServiceAccount(ctx, a, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.ServiceAccount{}, conflict("name", "a service account named %q already exists in project %s", in.Name, in.ProjectID)
		}
		return store.ServiceAccount{}, fmt.Errorf("create service account: %w", err)
	}
	return a, nil
}

// accessServiceAccount loads a live service account the principal may see; one of a project it
// does not reach is not found, exactly as one that does not exist.
func (s *Service) accessServiceAccount(ctx context.Context, p Principal, ref ServiceAccountRef) (store.ServiceAccount, error) {
	var (
		a   store.ServiceAccount
		err error
	)
	field := "id"
	if ref.ProjectID != "" {
		field = "name"
		if !p.reaches(ref.ProjectID) {
			return store.ServiceAccount{}, serviceAccountNotFound(field)
		}
		a, err = s.store.GetServiceAccountByName(ctx, ref.ProjectID, ref.IDOrName)
	} else {
		a, err = s.store.GetServiceAccount(ctx, ref.IDOrName)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && (a.DeletedAt != nil || !p.reaches(a.ProjectID))) {
		return store.ServiceAccount{}, serviceAccountNotFound(field)
	}
	if err != nil {
		return store.ServiceAccount{}, fmt.Errorf("load service account: %w", err)
	}
	return a, nil
}

// GetServiceAccount returns a live service account. It needs keys:read.
func (s *Service) GetServiceAccount(ctx context.Context, p Principal, ref ServiceAccountRef) (store.ServiceAccount, error) {
	if err := p.Require(RightRead); err != nil {
		return store.ServiceAccount{}, err
	}
	return s.accessServiceAccount(ctx, p, ref)
}

// ListServiceAccounts returns one page of a project's live service accounts. It needs
// keys:read.
func (s *Service) ListServiceAccounts(ctx context.Context, p Principal, in ListServiceAccountsInput) (Page[ServiceAccount], error) {
	if err := p.Require(RightRead); err != nil {
		return Page[ServiceAccount]{}, err
	}
	if err := requireProjectID(in.ProjectID); err != nil {
		return Page[ServiceAccount]{}, err
	}
	sortBy, desc, err := parseSort(in.SortBy, store.SortByCreatedAt, store.SortByName)
	if err != nil {
		return Page[ServiceAccount]{}, err
	}
	q, err := openPage(in.PageSize, in.PageToken, "service_accounts", in.ProjectID, opt(in.Name), opt(in.NamePrefix), optBool(in.Active), sortKey(sortBy, desc))
	if err != nil {
		return Page[ServiceAccount]{}, err
	}
	if _, err := s.accessProject(ctx, p, in.ProjectID, "project_id"); err != nil {
		return Page[ServiceAccount]{}, err
	}
	items, err := s.store.ListServiceAccounts(ctx, store.ServiceAccountFilter{
		ProjectID: in.ProjectID, Name: in.Name, NamePrefix: in.NamePrefix, Active: in.Active,
		SortBy: sortBy, Descending: desc, After: q.after, Limit: q.limit(),
	})
	if err != nil {
		return Page[ServiceAccount]{}, fmt.Errorf("list service accounts: %w", err)
	}
	return closePage(q, items, func(a ServiceAccount) store.Cursor {
		return store.Cursor{ID: a.ID, Time: a.CreatedAt, String: a.Name}
	}), nil
}

// UpdateServiceAccount renames, re-describes, disables or enables a service account; while it
// is inactive, none of its keys verifies. It needs keys:admin.
func (s *Service) UpdateServiceAccount(ctx context.Context, p Principal, ref ServiceAccountRef, in UpdateServiceAccountInput) (store.ServiceAccount, error) {
	if err := p.Require(RightAdmin); err != nil {
		return store.ServiceAccount{}, err
	}
	a, err := s.accessServiceAccount(ctx, p, ref)
	if err != nil {
		return store.ServiceAccount{}, err
	}
	old := a
	if in.Name != nil {
		if err := validateName("name", *in.Name); err != nil {
			return store.ServiceAccount{}, err
		}
		a.Name = *in.Name
	}
	if in.Description != nil {
		if err := validateDescription("description", *in.Description); err != nil {
			return store.ServiceAccount{}, err
		}
		a.Description = *in.Description
	}
	if in.Active != nil {
		a.Active = *in.Active
	}
	if err := s.stepUp(ctx, p, a.ProjectID); err != nil {
		return store.ServiceAccount{}, err
	}
	a.UpdatedAt = s.clock()
	changes := fieldChanges{}
	changes.str("name", old.Name, a.Name)
	changes.str("description", old.Description, a.Description)
	changes.boolean("active", old.Active, a.Active)
	action := ActionServiceAccountUpdate
	switch {
	case old.Active && !a.Active:
		action = ActionServiceAccountDisable
	case !old.Active && a.Active:
		action = ActionServiceAccountEnable
	}
	ch := audited(auditEvent(p.source(), a.ProjectID, action, serviceAccountTarget(a), changes, a.UpdatedAt))
	if err := s.store.UpdateServiceAccount(ctx, a, ch); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return store.ServiceAccount{}, conflict("name", "a service account named %q already exists in project %s", a.Name, a.ProjectID)
		case errors.Is(err, store.ErrNotFound):
			return store.ServiceAccount{}, serviceAccountNotFound("id")
		}
		return store.ServiceAccount{}, fmt.Errorf("update service account: %w", err)
	}
	return a, nil
}

// DeleteServiceAccount soft-deletes the account and revokes its keys in one write. It needs
// keys:admin.
func (s *Service) DeleteServiceAccount(ctx context.Context, p Principal, ref ServiceAccountRef) error {
	if err := p.Require(RightAdmin); err != nil {
		return err
	}
	a, err := s.accessServiceAccount(ctx, p, ref)
	if err != nil {
		return err
	}
	if err := s.stepUp(ctx, p, a.ProjectID); err != nil {
		return err
	}
	// Its keys are revoked in the same write: each gets its own events, as a revocation would.
	now := s.clock()
	ch := audited(auditEvent(p.source(), a.ProjectID, ActionServiceAccountDelete, serviceAccountTarget(a), nil, now))
	ch.ForRevokedKey = revokedBy(p.source(), now)
	if err := s.store.DeleteServiceAccount(ctx, a.ID, now, ch); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return serviceAccountNotFound("id")
		}
		return fmt.Errorf("delete service account: %w", err)
	}
	return nil
}
