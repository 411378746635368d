// Package resolve turns what a person types for a key, a service account, an environment or a
// project (its id or its name) into the object it names. It is the one place that knows how each
// is looked up, so that a lookup the API gains later (a name filter for projects) changes one
// function.
//
// An argument shaped like an id of the kind asked for (key_…, sa_…, env_…, prj_… followed by 20
// letters and digits) is looked up as an id first; when no object has that id it is looked up as
// a name, since a name may look like anything. Names are looked up in the configured project
// (--project or KEYSERVICE_PROJECT_ID), except project names.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// idRandomLen is the length of an id's random part, after its type prefix (keyservice's ids.go).
const idRandomLen = 20

// ErrNoProject is returned when a name needs a project to be looked up in and none is configured.
var ErrNoProject = errors.New("no project to look names up in: set KEYSERVICE_PROJECT_ID or pass --project (a project id or name; 'keyservice project ls' lists them)")

// NotFoundError says that nothing has the id or name given. It matches client.ErrNotFound.
type NotFoundError struct {
	Kind    string // "API key", "service account", …
	Ref     string // what was given
	Project *client.Project
	Hint    string // what to run to see what exists
}

func (e *NotFoundError) Error() string {
	where := ""
	if e.Project != nil {
		where = fmt.Sprintf(" in project %s (%s)", e.Project.Name, e.Project.ID)
	}
	msg := fmt.Sprintf("no %s with id or name %q%s", e.Kind, e.Ref, where)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

func (e *NotFoundError) Is(target error) bool { return target == client.ErrNotFound }

// AmbiguousError says that a name matches more than one object; an id says which.
type AmbiguousError struct {
	Kind string
	Ref  string
	IDs  []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%d %ss are named %q: give one of their ids instead: %s", len(e.IDs), e.Kind, e.Ref, strings.Join(e.IDs, ", "))
}

// Resolver looks objects up through the client.
type Resolver struct {
	client     *client.Client
	projectRef string
	project    *client.Project
}

// New returns a resolver that looks names up in the project projectRef names (an id or a name;
// empty for none).
func New(c *client.Client, projectRef string) *Resolver {
	return &Resolver{client: c, projectRef: projectRef}
}

// Project is the configured project, looked up once. None configured is ErrNoProject.
func (r *Resolver) Project(ctx context.Context) (*client.Project, error) {
	if r.project != nil {
		return r.project, nil
	}
	if r.projectRef == "" {
		return nil, ErrNoProject
	}
	p, err := r.ProjectRef(ctx, r.projectRef)
	if err != nil {
		return nil, fmt.Errorf("the configured project: %w", err)
	}
	r.project = p
	return p, nil
}

// ProjectRef finds a project by id or name.
func (r *Resolver) ProjectRef(ctx context.Context, ref string) (*client.Project, error) {
	isID := looksLikeID(ref, "prj_")
	if isID {
		p, err := r.client.GetProject(ctx, ref)
		if !errors.Is(err, client.ErrNotFound) {
			return p, err
		}
	}
	p, err := r.findProjectByName(ctx, ref)
	if isID && errors.Is(err, client.ErrForbidden) {
		// An API key sees only its own project: an id it cannot read is, to it, not there.
		return nil, &NotFoundError{Kind: "project", Ref: ref}
	}
	return p, err
}

// findProjectByName pages through every project and matches the name exactly: GET /v1/projects
// has no name filter yet. With one, this becomes one request.
func (r *Resolver) findProjectByName(ctx context.Context, name string) (*client.Project, error) {
	var matches []client.Project
	token := ""
	for {
		page, err := r.client.ListProjects(ctx, 1000, token)
		if errors.Is(err, client.ErrForbidden) {
			return nil, fmt.Errorf("finding project %q by name lists the projects the token may read, which needs keys:read or the admin token: %w", name, err)
		}
		if err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			if p.Name == name {
				matches = append(matches, p)
			}
		}
		if page.NextPageToken == "" || page.NextPageToken == token {
			break
		}
		token = page.NextPageToken
	}
	switch len(matches) {
	case 0:
		return nil, &NotFoundError{Kind: "project", Ref: name, Hint: "'keyservice project ls' lists the projects"}
	case 1:
		return &matches[0], nil
	}
	return nil, ambiguous("project", name, matches, func(p client.Project) string { return p.ID })
}

// APIKey finds a key by id (revoked or not), or by name among the project's live keys.
func (r *Resolver) APIKey(ctx context.Context, ref string) (*client.APIKey, error) {
	isID := looksLikeID(ref, "key_")
	if isID {
		k, err := r.client.GetAPIKey(ctx, ref)
		if !errors.Is(err, client.ErrNotFound) {
			return k, err
		}
	}
	proj, err := r.namesProject(ctx, isID, "API key", ref)
	if err != nil {
		return nil, err
	}
	keys, err := r.client.ListAllAPIKeys(ctx, client.ListAPIKeysOptions{ProjectID: proj.ID, Name: ref})
	if err != nil {
		return nil, err
	}
	var live []client.APIKey
	for _, k := range keys {
		if k.Name == ref && k.RevokedAt == nil && k.ReplacedByKeyID == nil {
			live = append(live, k)
		}
	}
	switch len(live) {
	case 0:
		return nil, &NotFoundError{Kind: "API key", Ref: ref, Project: proj,
			Hint: "'keyservice api-key ls' lists the live keys; a revoked or replaced key is found by its id (see 'api-key ls --include-revoked')"}
	case 1:
		return &live[0], nil
	}
	return nil, ambiguous("API key", ref, live, func(k client.APIKey) string { return k.ID })
}

// APIKeys finds every key of refs, each once, in order. All are looked up before anything is
// returned: the error names every one not found, so that a caller acting on all of them (revoke)
// acts on none.
func (r *Resolver) APIKeys(ctx context.Context, refs []string) ([]client.APIKey, error) {
	var (
		keys     []client.APIKey
		seen     = map[string]bool{}
		notFound []error
	)
	for _, ref := range refs {
		k, err := r.APIKey(ctx, ref)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			notFound = append(notFound, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[k.ID] {
			seen[k.ID] = true
			keys = append(keys, *k)
		}
	}
	if len(notFound) > 0 {
		return nil, errors.Join(notFound...)
	}
	return keys, nil
}

// ServiceAccount finds a live service account by id, or by name in the project.
func (r *Resolver) ServiceAccount(ctx context.Context, ref string) (*client.ServiceAccount, error) {
	isID := looksLikeID(ref, "sa_")
	if isID {
		a, err := r.client.GetServiceAccount(ctx, ref)
		if !errors.Is(err, client.ErrNotFound) {
			return a, err
		}
	}
	proj, err := r.namesProject(ctx, isID, "service account", ref)
	if err != nil {
		return nil, err
	}
	a, err := r.client.GetServiceAccountByName(ctx, proj.ID, ref)
	if errors.Is(err, client.ErrNotFound) {
		return nil, &NotFoundError{Kind: "service account", Ref: ref, Project: proj, Hint: "'keyservice service-account ls' lists them"}
	}
	return a, err
}

// Environment finds an environment by id, or by name in the project.
func (r *Resolver) Environment(ctx context.Context, ref string) (*client.Environment, error) {
	isID := looksLikeID(ref, "env_")
	if isID {
		e, err := r.client.GetEnvironment(ctx, ref)
		if !errors.Is(err, client.ErrNotFound) {
			return e, err
		}
	}
	proj, err := r.namesProject(ctx, isID, "environment", ref)
	if err != nil {
		return nil, err
	}
	// The name filter narrows the list on the server; the exact match here is what decides.
	envs, err := r.client.ListAllEnvironments(ctx, client.ListEnvironmentsOptions{ProjectID: proj.ID, Name: ref})
	if err != nil {
		return nil, err
	}
	var matches []client.Environment
	for _, e := range envs {
		if e.Name == ref {
			matches = append(matches, e)
		}
	}
	switch len(matches) {
	case 0:
		return nil, &NotFoundError{Kind: "environment", Ref: ref, Project: proj, Hint: "'keyservice environment ls' lists them"}
	case 1:
		return &matches[0], nil
	}
	return nil, ambiguous("environment", ref, matches, func(e client.Environment) string { return e.ID })
}

// namesProject is the project a name is looked up in. An id-shaped ref that no object has is
// simply not found when no project is configured to look it up as a name in.
func (r *Resolver) namesProject(ctx context.Context, isID bool, kind, ref string) (*client.Project, error) {
	proj, err := r.Project(ctx)
	if isID && errors.Is(err, ErrNoProject) {
		return nil, &NotFoundError{Kind: kind, Ref: ref}
	}
	return proj, err
}

func ambiguous[T any](kind, ref string, matches []T, id func(T) string) error {
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = id(m)
	}
	return &AmbiguousError{Kind: kind, Ref: ref, IDs: ids}
}

// looksLikeID reports whether s has the shape of an id with the given type prefix.
func looksLikeID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != idRandomLen {
		return false
	}
	return strings.IndexFunc(rest, func(c rune) bool {
		return (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z')
	}) < 0
}
