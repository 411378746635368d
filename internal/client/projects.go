package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const projectsPath = "/v1/projects"

// Project is a key service project: the boundary that API keys live in.
type Project struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	RequireOTP  bool      `json:"require_otp"` // creating, rotating and revoking keys needs a one-time code
	// EventsWebhookURL receives the project's lifecycle events (api_key.created, …); nil: none.
	EventsWebhookURL *string `json:"events_webhook_url"`
	// WebhookSigningSecret signs the server's webhook deliveries for the project's keys. It
	// is only set in the responses of CreateProject and RotateWebhookSigningSecret; String and
	// GoString never print it.
	WebhookSigningSecret string `json:"webhook_signing_secret,omitempty"`
}

// String identifies the project without its webhook signing secret.
func (p Project) String() string {
	secret := ""
	if p.WebhookSigningSecret != "" {
		secret = redacted
	}
	return fmt.Sprintf("Project{ID:%q Name:%q WebhookSigningSecret:%q}", p.ID, p.Name, secret)
}

// GoString keeps %#v from printing the secret too.
func (p Project) GoString() string { return "client." + p.String() }

type CreateProjectRequest struct {
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	EventsWebhookURL *string `json:"events_webhook_url,omitempty"`
}

// UpdateProjectRequest is a merge patch: nil fields are left unchanged.
type UpdateProjectRequest struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	// EventsWebhookURL sets where the project's lifecycle events go.
	EventsWebhookURL *string `json:"events_webhook_url,omitempty"`
}

// ProjectList is one page of projects.
type ProjectList struct {
	Items         []Project `json:"items"`
	NextPageToken string    `json:"next_page_token"`
}

func (c *Client) CreateProject(ctx context.Context, req CreateProjectRequest) (*Project, error) {
	var p Project
	if err := c.do(ctx, call{method: http.MethodPost, path: projectsPath, in: req, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

func (c *Client) GetProject(ctx context.Context, id string) (*Project, error) {
	path, err := resourcePath(projectsPath, id, "")
	if err != nil {
		return nil, err
	}
	var p Project
	if err := c.do(ctx, call{method: http.MethodGet, path: path, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

func (c *Client) UpdateProject(ctx context.Context, id string, req UpdateProjectRequest) (*Project, error) {
	path, err := resourcePath(projectsPath, id, "")
	if err != nil {
		return nil, err
	}
	var p Project
	if err := c.do(ctx, call{method: http.MethodPatch, path: path, in: req, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// DeleteProject deletes a project. A missing project is ErrNotFound; the
// caller decides whether that counts as success.
func (c *Client) DeleteProject(ctx context.Context, id string) error {
	path, err := resourcePath(projectsPath, id, "")
	if err != nil {
		return err
	}
	return c.do(ctx, call{method: http.MethodDelete, path: path})
}

// RotateWebhookSigningSecret gives the project a new webhook signing secret, returned in
// WebhookSigningSecret; deliveries are signed with it from then on.
func (c *Client) RotateWebhookSigningSecret(ctx context.Context, id string) (*Project, error) {
	path, err := resourcePath(projectsPath, id, "webhook-signing-secret/rotate")
	if err != nil {
		return nil, err
	}
	var p Project
	if err := c.do(ctx, call{method: http.MethodPost, path: path, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListProjects returns one page; pageSize 0 takes the server's default.
func (c *Client) ListProjects(ctx context.Context, pageSize int, pageToken string) (*ProjectList, error) {
	q := url.Values{}
	if pageSize > 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	var list ProjectList
	if err := c.do(ctx, call{method: http.MethodGet, path: projectsPath, query: q, out: &list}); err != nil {
		return nil, err
	}
	return &list, nil
}
