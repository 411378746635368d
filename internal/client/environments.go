package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const environmentsPath = "/v1/environments"

// Environment is a deployment stage of a project (production, staging, …). Keys bound to it
// carry its name in their secret: ks_<name>_….
type Environment struct {
	ID          string    `json:"id"`
	ProjectID   string    `json:"project_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type CreateEnvironmentRequest struct {
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// UpdateEnvironmentRequest is a merge patch: nil fields are left unchanged.
type UpdateEnvironmentRequest struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// ListEnvironmentsOptions filters and pages a list.
type ListEnvironmentsOptions struct {
	ProjectID string
	Name      string
	PageSize  int
	PageToken string
}

func (o ListEnvironmentsOptions) query() url.Values {
	q := url.Values{}
	if o.ProjectID != "" {
		q.Set("project_id", o.ProjectID)
	}
	if o.Name != "" {
		q.Set("name", o.Name)
	}
	if o.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(o.PageSize))
	}
	if o.PageToken != "" {
		q.Set("page_token", o.PageToken)
	}
	return q
}

// EnvironmentList is one page of environments.
type EnvironmentList struct {
	Items         []Environment `json:"items"`
	NextPageToken string        `json:"next_page_token"`
}

func (c *Client) CreateEnvironment(ctx context.Context, req CreateEnvironmentRequest) (*Environment, error) {
	var e Environment
	if err := c.do(ctx, call{method: http.MethodPost, path: environmentsPath, in: req, out: &e}); err != nil {
		return nil, err
	}
	return &e, nil
}

// GetEnvironment reads a live environment; a deleted one is ErrNotFound.
func (c *Client) GetEnvironment(ctx context.Context, id string) (*Environment, error) {
	path, err := resourcePath(environmentsPath, id, "")
	if err != nil {
		return nil, err
	}
	var e Environment
	if err := c.do(ctx, call{method: http.MethodGet, path: path, out: &e}); err != nil {
		return nil, err
	}
	return &e, nil
}

// GetEnvironmentByName returns the live environment of that name in the project; none is
// ErrNotFound.
func (c *Client) GetEnvironmentByName(ctx context.Context, projectID, name string) (*Environment, error) {
	if projectID == "" || name == "" {
		return nil, errors.New("keyservice: finding an environment by name needs a project id and a name")
	}
	list, err := c.ListEnvironments(ctx, ListEnvironmentsOptions{ProjectID: projectID, Name: name})
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		if e := &list.Items[i]; e.Name == name && e.ProjectID == projectID {
			return e, nil
		}
	}
	return nil, &APIError{
		StatusCode: http.StatusNotFound,
		Code:       "not_found",
		Message:    fmt.Sprintf("no environment named %q in project %q", name, projectID),
		Field:      "name",
	}
}

// ListEnvironments returns one page, oldest first.
func (c *Client) ListEnvironments(ctx context.Context, opts ListEnvironmentsOptions) (*EnvironmentList, error) {
	var list EnvironmentList
	if err := c.do(ctx, call{method: http.MethodGet, path: environmentsPath, query: opts.query(), out: &list}); err != nil {
		return nil, err
	}
	return &list, nil
}

// ListAllEnvironments walks every page from opts.PageToken on.
func (c *Client) ListAllEnvironments(ctx context.Context, opts ListEnvironmentsOptions) ([]Environment, error) {
	return allPages(ctx, environmentsPath, opts.PageToken, func(ctx context.Context, token string) ([]Environment, string, error) {
		opts.PageToken = token
		page, err := c.ListEnvironments(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return page.Items, page.NextPageToken, nil
	})
}

// UpdateEnvironment applies a merge patch. A new name shows in keys issued or rotated from then
// on; keys issued before keep the name they were issued with.
func (c *Client) UpdateEnvironment(ctx context.Context, id string, req UpdateEnvironmentRequest) (*Environment, error) {
	path, err := resourcePath(environmentsPath, id, "")
	if err != nil {
		return nil, err
	}
	var e Environment
	if err := c.do(ctx, call{method: http.MethodPatch, path: path, in: req, out: &e}); err != nil {
		return nil, err
	}
	return &e, nil
}

// DeleteEnvironment deletes an environment. While keys bound to it still work the server
// refuses with ErrConflict; a missing environment is ErrNotFound.
func (c *Client) DeleteEnvironment(ctx context.Context, id string) error {
	path, err := resourcePath(environmentsPath, id, "")
	if err != nil {
		return err
	}
	return c.do(ctx, call{method: http.MethodDelete, path: path})
}
