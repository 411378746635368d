package keyservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

type createEnvironmentInput struct {
	ProjectID   string
	Name        string
	Description string
}

type updateEnvironmentInput struct {
	Name        *string
	Description *string
}

type listEnvironmentsInput struct {
	ProjectID string
	Name      *string
	PageSize  int
	PageToken string
}

func (s *service) createEnvironment(ctx context.Context, p principal, in createEnvironmentInput) (store.Environment, error) {
	if in.ProjectID == "" {
		return store.Environment{}, invalid("project_id", "is required")
	}
	if err := p.mayAccessProject(in.ProjectID); err != nil {
		return store.Environment{}, err
	}
	if err := validateEnvironmentName("name", in.Name); err != nil {
		return store.Environment{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return store.Environment{}, err
	}
	if _, err := s.loadProject(ctx, in.ProjectID, "project_id"); err != nil {
		return store.Environment{}, err
	}
	id, err := newID(environmentIDPrefix)
	if err != nil {
		return store.Environment{}, err
	}
	now := s.clock()
	e := store.Environment{ID: id, ProjectID: in.ProjectID, Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateEnvironment(ctx, e); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Environment{}, conflict("name", "an environment named %q already exists in project %s", in.Name, in.ProjectID)
		}
		return store.Environment{}, fmt.Errorf("create environment: %w", err)
	}
	return e, nil
}

// loadEnvironment returns a live environment or a not-found error naming field.
func (s *service) loadEnvironment(ctx context.Context, id, field string) (store.Environment, error) {
	e, err := s.store.GetEnvironment(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.DeletedAt != nil) {
		return store.Environment{}, notFound(field, "environment %q not found", id)
	}
	if err != nil {
		return store.Environment{}, fmt.Errorf("load environment: %w", err)
	}
	return e, nil
}

func (s *service) accessEnvironment(ctx context.Context, p principal, id string) (store.Environment, error) {
	e, err := s.loadEnvironment(ctx, id, "id")
	if err != nil {
		return store.Environment{}, err
	}
	if err := p.mayAccessProject(e.ProjectID); err != nil {
		return store.Environment{}, err
	}
	return e, nil
}

func (s *service) getEnvironment(ctx context.Context, p principal, id string) (store.Environment, error) {
	return s.accessEnvironment(ctx, p, id)
}

func (s *service) listEnvironments(ctx context.Context, p principal, in listEnvironmentsInput) ([]store.Environment, string, error) {
	if in.ProjectID == "" {
		return nil, "", invalid("project_id", "is required")
	}
	if err := p.mayAccessProject(in.ProjectID); err != nil {
		return nil, "", err
	}
	size, err := validatePageSize(in.PageSize)
	if err != nil {
		return nil, "", err
	}
	fp := queryFingerprint("environments", in.ProjectID, opt(in.Name))
	after, err := decodePageToken(in.PageToken, fp)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.loadProject(ctx, in.ProjectID, "project_id"); err != nil {
		return nil, "", err
	}
	items, err := s.store.ListEnvironments(ctx, store.EnvironmentFilter{ProjectID: in.ProjectID, Name: in.Name, After: after, Limit: size + 1})
	if err != nil {
		return nil, "", fmt.Errorf("list environments: %w", err)
	}
	next := ""
	if len(items) > size {
		items = items[:size]
		last := items[size-1]
		next = encodePageToken(fp, store.Cursor{ID: last.ID, Time: last.CreatedAt})
	}
	return items, next, nil
}

// updateEnvironment renames or re-describes an environment. Keys already issued keep the name
// they were issued with in their secret (and key_prefix); keys issued or rotated later carry
// the new name.
func (s *service) updateEnvironment(ctx context.Context, p principal, id string, in updateEnvironmentInput) (store.Environment, error) {
	e, err := s.accessEnvironment(ctx, p, id)
	if err != nil {
		return store.Environment{}, err
	}
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
	e.UpdatedAt = s.clock()
	if err := s.store.UpdateEnvironment(ctx, e); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return store.Environment{}, conflict("name", "an environment named %q already exists in project %s", e.Name, e.ProjectID)
		case errors.Is(err, store.ErrNotFound):
			return store.Environment{}, notFound("id", "environment %q not found", id)
		}
		return store.Environment{}, fmt.Errorf("update environment: %w", err)
	}
	return e, nil
}

// deleteEnvironment refuses while keys that can still authenticate are bound to it: a key's
// environment never changes, so they must be revoked first.
func (s *service) deleteEnvironment(ctx context.Context, p principal, id string) error {
	if _, err := s.accessEnvironment(ctx, p, id); err != nil {
		return err
	}
	if err := s.store.DeleteEnvironment(ctx, id, s.clock()); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return conflict("id", "environment %s still has live API keys; revoke them first", id)
		case errors.Is(err, store.ErrNotFound):
			return notFound("id", "environment %q not found", id)
		}
		return fmt.Errorf("delete environment: %w", err)
	}
	return nil
}
