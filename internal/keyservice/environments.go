package keyservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// CreateEnvironmentInput is a new environment.
type CreateEnvironmentInput struct {
	ProjectID   string
	Name        string
	Description string
}

// UpdateEnvironmentInput is a merge patch of an environment: nil leaves a field as it is.
type UpdateEnvironmentInput struct {
	Name        *string
	Description *string
}

// ListEnvironmentsInput selects and pages a project's environments; Name nil selects all.
type ListEnvironmentsInput struct {
	ProjectID string
	Name      *string
	PageSize  int
	PageToken string
}

// CreateEnvironment creates an environment in the project. It needs keys:admin.
func (s *Service) CreateEnvironment(ctx context.Context, p Principal, in CreateEnvironmentInput) (store.Environment, error) {
	if err := p.Require(RightAdmin); err != nil {
		return store.Environment{}, err
	}
	if in.ProjectID == "" {
		return store.Environment{}, Invalid("project_id", "is required")
	}
	if err := validateEnvironmentName("name", in.Name); err != nil {
		return store.Environment{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return store.Environment{}, err
	}
	if _, err := s.accessProject(ctx, p, in.ProjectID, "project_id"); err != nil {
		return store.Environment{}, err
	}
	if err := s.stepUp(ctx, p, in.ProjectID); err != nil {
		return store.Environment{}, err
	}
	id, err := newID(environmentIDPrefix)
	if err != nil {
		return store.Environment{}, err
	}
	now := s.clock()
	e := store.Environment{ID: id, ProjectID: in.ProjectID, Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	changes := fieldChanges{"name": {Old: nil, New: e.Name}}
	if e.Description != "" {
		changes["description"] = store.FieldChange{Old: nil, New: e.Description}
	}
	ch := audited(auditEvent(p.source(), e.ProjectID, ActionEnvironmentCreate, environmentTarget(e), changes, now))
	if err := s.store.CreateEnvironment(ctx, e, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Environment{}, conflict("name", "an environment named %q already exists in project %s", in.Name, in.ProjectID)
		}
		return store.Environment{}, fmt.Errorf("create environment: %w", err)
	}
	return e, nil
}

// loadEnvironment returns a live environment or a not-found error naming field.
func (s *Service) loadEnvironment(ctx context.Context, id, field string) (store.Environment, error) {
	e, err := s.store.GetEnvironment(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.DeletedAt != nil) {
		return store.Environment{}, environmentNotFound(field)
	}
	if err != nil {
		return store.Environment{}, fmt.Errorf("load environment: %w", err)
	}
	return e, nil
}

// accessEnvironment loads a live environment the principal may see; one of a project it does
// not reach is not found, exactly as one that does not exist.
func (s *Service) accessEnvironment(ctx context.Context, p Principal, id string) (store.Environment, error) {
	e, err := s.loadEnvironment(ctx, id, "id")
	if err != nil {
		return store.Environment{}, err
	}
	if !p.reaches(e.ProjectID) {
		return store.Environment{}, environmentNotFound("id")
	}
	return e, nil
}

// GetEnvironment returns a live environment. It needs keys:read.
func (s *Service) GetEnvironment(ctx context.Context, p Principal, id string) (store.Environment, error) {
	if err := p.Require(RightRead); err != nil {
		return store.Environment{}, err
	}
	return s.accessEnvironment(ctx, p, id)
}

// ListEnvironments returns one page of a project's live environments, oldest first. It needs
// keys:read.
func (s *Service) ListEnvironments(ctx context.Context, p Principal, in ListEnvironmentsInput) (Page[Environment], error) {
	if err := p.Require(RightRead); err != nil {
		return Page[Environment]{}, err
	}
	if err := requireProjectID(in.ProjectID); err != nil {
		return Page[Environment]{}, err
	}
	q, err := openPage(in.PageSize, in.PageToken, "environments", in.ProjectID, opt(in.Name))
	if err != nil {
		return Page[Environment]{}, err
	}
	if _, err := s.accessProject(ctx, p, in.ProjectID, "project_id"); err != nil {
		return Page[Environment]{}, err
	}
	items, err := s.store.ListEnvironments(ctx, store.EnvironmentFilter{ProjectID: in.ProjectID, Name: in.Name, After: q.after, Limit: q.limit()})
	if err != nil {
		return Page[Environment]{}, fmt.Errorf("list environments: %w", err)
	}
	return closePage(q, items, func(e Environment) store.Cursor { return store.Cursor{ID: e.ID, Time: e.CreatedAt} }), nil
}

// UpdateEnvironment renames or re-describes an environment. Keys already issued keep the name
// they were issued with in their secret (and key_prefix); keys issued or rotated later carry
// the new name. It needs keys:admin.
func (s *Service) UpdateEnvironment(ctx context.Context, p Principal, id string, in UpdateEnvironmentInput) (store.Environment, error) {
	if err := p.Require(RightAdmin); err != nil {
		return store.Environment{}, err
	}
	e, err := s.accessEnvironment(ctx, p, id)
	if err != nil {
		return store.Environment{}, err
	}
	old := e
	if in.Name != nil {
		if err := validateEnvironmentName("name", *in.Name); err != nil {
			return store.Environment{}, err
		}
		e.Name = *in.Name
	}
	if in.Description != nil {
		if err := validateDescription("description", *in.Description); err != nil {
			return store.Environment{}, err
		}
		e.Description = *in.Description
	}
	if err := s.stepUp(ctx, p, e.ProjectID); err != nil {
		return store.Environment{}, err
	}
	e.UpdatedAt = s.clock()
	changes := fieldChanges{}
	changes.str("name", old.Name, e.Name)
	changes.str("description", old.Description, e.Description)
	ch := audited(auditEvent(p.source(), e.ProjectID, ActionEnvironmentUpdate, environmentTarget(e), changes, e.UpdatedAt))
	if err := s.store.UpdateEnvironment(ctx, e, ch); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return store.Environment{}, conflict("name", "an environment named %q already exists in project %s", e.Name, e.ProjectID)
		case errors.Is(err, store.ErrNotFound):
			return store.Environment{}, environmentNotFound("id")
		}
		return store.Environment{}, fmt.Errorf("update environment: %w", err)
	}
	return e, nil
}

// DeleteEnvironment refuses while keys that can still authenticate are bound to it: a key's
// environment never changes, so they must be revoked first. It needs keys:admin.
func (s *Service) DeleteEnvironment(ctx context.Context, p Principal, id string) error {
	if err := p.Require(RightAdmin); err != nil {
		return err
	}
	e, err := s.accessEnvironment(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.stepUp(ctx, p, e.ProjectID); err != nil {
		return err
	}
	now := s.clock()
	ch := audited(auditEvent(p.source(), e.ProjectID, ActionEnvironmentDelete, environmentTarget(e), nil, now))
	if err := s.store.DeleteEnvironment(ctx, id, now, ch); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return conflict("id", "environment %s still has live API keys; revoke them first", id)
		case errors.Is(err, store.ErrNotFound):
			return environmentNotFound("id")
		}
		return fmt.Errorf("delete environment: %w", err)
	}
	return nil
}
