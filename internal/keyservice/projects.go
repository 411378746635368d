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

// projectWithSecret is a project together with its webhook signing secret in
// clear, which exists only in the response that creates or rotates it.
type projectWithSecret struct {
	store.Project
	WebhookSigningSecret string
}

func (s *service) createProject(ctx context.Context, p principal, in createProjectInput) (projectWithSecret, error) {
	if err := p.mustBeAdmin(); err != nil {
		return projectWithSecret{}, err
	}
	if err := validateName("name", in.Name); err != nil {
		return projectWithSecret{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return projectWithSecret{}, err
	}
	id, err := newID(projectIDPrefix)
	if err != nil {
		return projectWithSecret{}, err
	}
	secret, sealed, err := s.newWebhookSecret(id)
	if err != nil {
		return projectWithSecret{}, err
	}
	now := s.clock()
	proj := store.Project{ID: id, Name: in.Name, Description: in.Description, WebhookSecret: sealed, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateProject(ctx, proj); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return projectWithSecret{}, conflict("name", "a project named %q already exists", in.Name)
		}
		return projectWithSecret{}, fmt.Errorf("create project: %w", err)
	}
	return projectWithSecret{Project: proj, WebhookSigningSecret: secret}, nil
}

// newWebhookSecret generates a signing secret for the project and seals it for storage.
func (s *service) newWebhookSecret(projectID string) (secret string, sealed []byte, err error) {
	if secret, err = generateWebhookSecret(); err != nil {
		return "", nil, err
	}
	if sealed, err = s.webhookSecrets.seal([]byte(secret), webhookSecretAAD(projectID)); err != nil {
		return "", nil, err
	}
	return secret, sealed, nil
}

// webhookSecret opens a project's signing secret; ok is false for a project
// created before signing secrets existed, until its secret is rotated.
func (s *service) webhookSecret(proj store.Project) (secret string, ok bool, err error) {
	if proj.WebhookSecret == nil {
		return "", false, nil
	}
	plain, err := s.webhookSecrets.open(proj.WebhookSecret, webhookSecretAAD(proj.ID))
	if err != nil {
		return "", false, fmt.Errorf("open webhook signing secret of %s: %w", proj.ID, err)
	}
	return string(plain), true, nil
}

// rotateWebhookSecret replaces the project's signing secret; deliveries signed from now on
// use the new one.
func (s *service) rotateWebhookSecret(ctx context.Context, p principal, id string) (projectWithSecret, error) {
	if err := p.mayAccessProject(id); err != nil {
		return projectWithSecret{}, err
	}
	proj, err := s.loadProject(ctx, id, "id")
	if err != nil {
		return projectWithSecret{}, err
	}
	secret, sealed, err := s.newWebhookSecret(id)
	if err != nil {
		return projectWithSecret{}, err
	}
	proj.WebhookSecret, proj.UpdatedAt = sealed, s.clock()
	if err := s.store.SetProjectWebhookSecret(ctx, id, sealed, proj.UpdatedAt); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return projectWithSecret{}, notFound("id", "project %q not found", id)
		}
		return projectWithSecret{}, fmt.Errorf("rotate webhook signing secret: %w", err)
	}
	return projectWithSecret{Project: proj, WebhookSigningSecret: secret}, nil
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
