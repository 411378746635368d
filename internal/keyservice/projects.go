package keyservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

type createProjectInput struct {
	Name        string
	Description string
}

type updateProjectInput struct {
	Name        *string
	Description *string
}

func (s *service) createProject(ctx context.Context, p principal, in createProjectInput) (store.Project, error) {
	if err := p.mustBeAdmin(); err != nil {
		return store.Project{}, err
	}
	if err := validateName("name", in.Name); err != nil {
		return store.Project{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return store.Project{}, err
	}
	id, err := newID(projectIDPrefix)
	if err != nil {
		return store.Project{}, err
	}
	now := s.clock()
	proj := store.Project{ID: id, Name: in.Name, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateProject(ctx, proj); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Project{}, conflict("name", "a project named %q already exists", in.Name)
		}
		return store.Project{}, fmt.Errorf("create project: %w", err)
	}
	return proj, nil
}

func (s *service) getProject(ctx context.Context, p principal, id string) (store.Project, error) {
	if err := p.mayAccessProject(id); err != nil {
		return store.Project{}, err
	}
	return s.loadProject(ctx, id, "id")
}

func (s *service) listProjects(ctx context.Context, p principal, pageSize int, token string) ([]store.Project, string, error) {
	if err := p.mustBeAdmin(); err != nil {
		return nil, "", err
	}
	size, err := validatePageSize(pageSize)
	if err != nil {
		return nil, "", err
	}
	fp := queryFingerprint("projects")
	after, err := decodePageToken(token, fp)
	if err != nil {
		return nil, "", err
	}
	items, err := s.store.ListProjects(ctx, store.ProjectFilter{After: after, Limit: size + 1})
	if err != nil {
		return nil, "", fmt.Errorf("list projects: %w", err)
	}
	next := ""
	if len(items) > size {
		items = items[:size]
		last := items[size-1]
		next = encodePageToken(fp, store.Cursor{Time: last.CreatedAt, ID: last.ID})
	}
	return items, next, nil
}

func (s *service) updateProject(ctx context.Context, p principal, id string, in updateProjectInput) (store.Project, error) {
	if err := p.mayAccessProject(id); err != nil {
		return store.Project{}, err
	}
	proj, err := s.loadProject(ctx, id, "id")
	if err != nil {
		return store.Project{}, err
	}
	if in.Name != nil {
		if err := validateName("name", *in.Name); err != nil {
			return store.Project{}, err
		}
		proj.Name = *in.Name
	}
	if in.Description != nil {
		if err := validateDescription("description", *in.Description); err != nil {
			return store.Project{}, err
		}
		proj.Description = *in.Description
	}
	proj.UpdatedAt = s.clock()
	if err := s.store.UpdateProject(ctx, proj); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return store.Project{}, conflict("name", "a project named %q already exists", proj.Name)
		case errors.Is(err, store.ErrNotFound):
			return store.Project{}, notFound("id", "project %q not found", id)
		}
		return store.Project{}, fmt.Errorf("update project: %w", err)
	}
	return proj, nil
}

// deleteProject soft-deletes the project and revokes its keys in one write.
func (s *service) deleteProject(ctx context.Context, p principal, id string) error {
	if err := p.mustBeAdmin(); err != nil {
		return err
	}
	if err := s.store.DeleteProject(ctx, id, s.clock()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("id", "project %q not found", id)
		}
		return fmt.Errorf("delete project: %w", err)
	}
	return nil
}
