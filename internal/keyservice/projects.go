package keyservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// CreateProjectInput is a new project.
type CreateProjectInput struct {
	Name        string
	Description string
	// EventsWebhookURL receives the project's lifecycle events; nil sends none.
	EventsWebhookURL *string
}

// UpdateProjectInput is a merge patch of a project: nil (or an Optional not Set) leaves a
// field as it is.
type UpdateProjectInput struct {
	Name        *string
	Description *string
	// EventsWebhookURL receives the project's lifecycle events; Set to nil stops them.
	EventsWebhookURL Optional[string]
}

// ProjectWithSecret is a project together with its webhook signing secret in
// clear, which exists only in the response that creates or rotates it.
type ProjectWithSecret struct {
	store.Project
	WebhookSigningSecret string
}

// CreateProject creates a project with a new webhook signing secret, which only this answer
// holds in clear; admin only.
func (s *Service) CreateProject(ctx context.Context, p Principal, in CreateProjectInput) (ProjectWithSecret, error) {
	if err := p.Require(RightOperator); err != nil {
		return ProjectWithSecret{}, err
	}
	if err := validateName("name", in.Name); err != nil {
		return ProjectWithSecret{}, err
	}
	if err := validateDescription("description", in.Description); err != nil {
		return ProjectWithSecret{}, err
	}
	if in.EventsWebhookURL != nil {
		if err := validateWebhookURL("events_webhook_url", *in.EventsWebhookURL); err != nil {
			return ProjectWithSecret{}, err
		}
	}
	id, err := newID(projectIDPrefix)
	if err != nil {
		return ProjectWithSecret{}, err
	}
	secret, sealed, err := s.newWebhookSecret(id)
	if err != nil {
		return ProjectWithSecret{}, err
	}
	now := s.clock()
	proj := store.Project{ID: id, Name: in.Name, Description: in.Description, WebhookSecret: sealed, CreatedAt: now, UpdatedAt: now,
		EventsWebhookURL: in.EventsWebhookURL}
	changes := fieldChanges{"name": {Old: nil, New: proj.Name}}
	if proj.Description != "" {
		changes["description"] = store.FieldChange{Old: nil, New: proj.Description}
	}
	changes.optStr("events_webhook_url", nil, proj.EventsWebhookURL)
	ch := audited(auditEvent(p.source(), proj.ID, ActionProjectCreate, projectTarget(proj), changes, now))
	if err := s.store.CreateProject(ctx, proj, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return ProjectWithSecret{}, conflict("name", "a project named %q already exists", in.Name)
		}
		return ProjectWithSecret{}, fmt.Errorf("create project: %w", err)
	}
	return ProjectWithSecret{Project: proj, WebhookSigningSecret: secret}, nil
}

// newWebhookSecret generates a signing secret for the project and seals it for storage.
func (s *Service) newWebhookSecret(projectID string) (secret string, sealed []byte, err error) {
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
func (s *Service) webhookSecret(proj store.Project) (secret string, ok bool, err error) {
	if proj.WebhookSecret == nil {
		return "", false, nil
	}
	plain, err := s.webhookSecrets.open(proj.WebhookSecret, webhookSecretAAD(proj.ID))
	if err != nil {
		return "", false, fmt.Errorf("open webhook signing secret of %s: %w", proj.ID, err)
	}
	return string(plain), true, nil
}

// RotateWebhookSecret replaces the project's signing secret; deliveries signed from now on
// use the new one. It needs keys:admin.
func (s *Service) RotateWebhookSecret(ctx context.Context, p Principal, id string) (ProjectWithSecret, error) {
	if err := p.Require(RightAdmin); err != nil {
		return ProjectWithSecret{}, err
	}
	proj, err := s.accessProject(ctx, p, id, "id")
	if err != nil {
		return ProjectWithSecret{}, err
	}
	if err := s.stepUp(ctx, p, id); err != nil {
		return ProjectWithSecret{}, err
	}
	secret, sealed, err := s.newWebhookSecret(id)
	if err != nil {
		return ProjectWithSecret{}, err
	}
	proj.WebhookSecret, proj.UpdatedAt = sealed, s.clock()
	ch := audited(auditEvent(p.source(), id, ActionProjectWebhookSecretRotate, projectTarget(proj), nil, proj.UpdatedAt))
	if err := s.store.SetProjectWebhookSecret(ctx, id, sealed, proj.UpdatedAt, ch); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ProjectWithSecret{}, projectNotFound("id")
		}
		return ProjectWithSecret{}, fmt.Errorf("rotate webhook signing secret: %w", err)
	}
	return ProjectWithSecret{Project: proj, WebhookSigningSecret: secret}, nil
}

// GetProject returns a live project. It needs keys:read.
func (s *Service) GetProject(ctx context.Context, p Principal, id string) (store.Project, error) {
	if err := p.Require(RightRead); err != nil {
		return store.Project{}, err
	}
	return s.accessProject(ctx, p, id, "id")
}

// ListProjectsInput pages the live projects, oldest first; PageSize 0 means the default (100).
type ListProjectsInput struct {
	PageSize  int
	PageToken string
}

// ListProjects returns one page of the live projects the principal reaches: all of them for
// the admin, its own for an API key with keys:read (so that a project is found by name with
// any credential that may read it).
func (s *Service) ListProjects(ctx context.Context, p Principal, in ListProjectsInput) (Page[Project], error) {
	if err := p.Require(RightRead); err != nil {
		return Page[Project]{}, err
	}
	q, err := openPage(in.PageSize, in.PageToken, "projects")
	if err != nil {
		return Page[Project]{}, err
	}
	cursor := func(p Project) store.Cursor { return store.Cursor{ID: p.ID, Time: p.CreatedAt} }
	if !p.admin {
		own, err := s.loadProject(ctx, p.projectID, "id")
		var missing *Error
		switch {
		case errors.As(err, &missing) && missing.Kind == KindNotFound:
			return Page[Project]{Items: []Project{}}, nil // deleted since the key was verified
		case err != nil:
			return Page[Project]{}, err
		case q.after != nil && !after(cursor(own), *q.after):
			return Page[Project]{Items: []Project{}}, nil
		}
		return Page[Project]{Items: []Project{own}}, nil
	}
	items, err := s.store.ListProjects(ctx, store.ProjectFilter{After: q.after, Limit: q.limit()})
	if err != nil {
		return Page[Project]{}, fmt.Errorf("list projects: %w", err)
	}
	return closePage(q, items, cursor), nil
}

// after reports whether c comes after the cursor of a list ordered by (Time, ID).
func after(c, cursor store.Cursor) bool {
	return c.Time.After(cursor.Time) || (c.Time.Equal(cursor.Time) && c.ID > cursor.ID)
}

// UpdateProject renames or re-describes a live project. It needs keys:admin.
func (s *Service) UpdateProject(ctx context.Context, p Principal, id string, in UpdateProjectInput) (store.Project, error) {
	if err := p.Require(RightAdmin); err != nil {
		return store.Project{}, err
	}
	proj, err := s.accessProject(ctx, p, id, "id")
	if err != nil {
		return store.Project{}, err
	}
	old := proj
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
	if in.EventsWebhookURL.Set {
		// Where a project's events go is keys:admin's to set (UpdateProject needs RightAdmin).
		if v := in.EventsWebhookURL.Value; v != nil {
			if err := validateWebhookURL("events_webhook_url", *v); err != nil {
				return store.Project{}, err
			}
			if proj.WebhookSecret == nil {
				return store.Project{}, conflict("events_webhook_url", "project %s has no webhook signing secret to sign its events with; "+
					"create one with POST /v1/projects/%s/webhook-signing-secret/rotate first", id, id)
			}
		}
		proj.EventsWebhookURL = in.EventsWebhookURL.Value
	}
	if err := s.stepUp(ctx, p, id); err != nil {
		return store.Project{}, err
	}
	proj.UpdatedAt = s.clock()
	changes := fieldChanges{}
	changes.str("name", old.Name, proj.Name)
	changes.str("description", old.Description, proj.Description)
	changes.optStr("events_webhook_url", old.EventsWebhookURL, proj.EventsWebhookURL)
	ch := audited(auditEvent(p.source(), id, ActionProjectUpdate, projectTarget(proj), changes, proj.UpdatedAt))
	if err := s.store.UpdateProject(ctx, proj, ch); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			return store.Project{}, conflict("name", "a project named %q already exists", proj.Name)
		case errors.Is(err, store.ErrNotFound):
			return store.Project{}, projectNotFound("id")
		}
		return store.Project{}, fmt.Errorf("update project: %w", err)
	}
	return proj, nil
}

// DeleteProject soft-deletes the project and revokes its keys in one write; admin only.
func (s *Service) DeleteProject(ctx context.Context, p Principal, id string) error {
	if err := p.Require(RightOperator); err != nil {
		return err
	}
	if _, err := s.loadProject(ctx, id, "id"); err != nil {
		return err
	}
	if err := s.stepUp(ctx, p, id); err != nil {
		return err
	}
	proj, err := s.loadProject(ctx, id, "id")
	if err != nil {
		return err
	}
	// Its keys are revoked in the same write: each gets its own events, as a revocation would.
	now := s.clock()
	ch := audited(auditEvent(p.source(), id, ActionProjectDelete, projectTarget(proj), nil, now))
	ch.ForRevokedKey = revokedBy(p.source(), now)
	if err := s.store.DeleteProject(ctx, id, now, ch); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return projectNotFound("id")
		}
		return fmt.Errorf("delete project: %w", err)
	}
	return nil
}
