package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const serviceAccountsPath = "/v1/service-accounts"

// ServiceAccount is a non-human identity of a project that owns API keys. While it is not
// Active, none of its keys verifies.
type ServiceAccount struct {
	ID          string    `json:"id"`
	ProjectID   string    `json:"project_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type CreateServiceAccountRequest struct {
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Active      *bool  `json:"active,omitempty"`
}

// UpdateServiceAccountRequest is a merge patch: nil fields are left unchanged.
type UpdateServiceAccountRequest struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	Active      *bool   `json:"active,omitempty"`
}

// ListServiceAccountsOptions filters, sorts and pages a list. Zero values filter nothing.
type ListServiceAccountsOptions struct {
	ProjectID  string
	Name       string
	NamePrefix string
	Active     *bool
	SortBy     string // created_at or name, optionally prefixed with -
	PageSize   int
	PageToken  string
}

func (o ListServiceAccountsOptions) query() url.Values {
	q := url.Values{}
	set := func(name, value string) {
		if value != "" {
			q.Set(name, value)
		}
	}
	set("project_id", o.ProjectID)
	set("name", o.Name)
	set("name_prefix", o.NamePrefix)
	if o.Active != nil {
		q.Set("active", strconv.FormatBool(*o.Active))
	}
	set("sort_by", o.SortBy)
	if o.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(o.PageSize))
	}
	set("page_token", o.PageToken)
	return q
}

// ServiceAccountList is one page of service accounts.
type ServiceAccountList struct {
	Items         []ServiceAccount `json:"items"`
	NextPageToken string           `json:"next_page_token"`
}

func (c *Client) CreateServiceAccount(ctx context.Context, req CreateServiceAccountRequest) (*ServiceAccount, error) {
	var a ServiceAccount
	if err := c.do(ctx, call{method: http.MethodPost, path: serviceAccountsPath, in: req, out: &a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetServiceAccount reads a live service account by id; a deleted one is ErrNotFound.
func (c *Client) GetServiceAccount(ctx context.Context, id string) (*ServiceAccount, error) {
	return c.getServiceAccount(ctx, id, nil)
}

// GetServiceAccountByName reads the live service account of that name in the project.
func (c *Client) GetServiceAccountByName(ctx context.Context, projectID, name string) (*ServiceAccount, error) {
	if projectID == "" {
		return nil, errors.New("keyservice: finding a service account by name needs a project id")
	}
	return c.getServiceAccount(ctx, name, url.Values{"project_id": {projectID}})
}

func (c *Client) getServiceAccount(ctx context.Context, idOrName string, q url.Values) (*ServiceAccount, error) {
	path, err := resourcePath(serviceAccountsPath, idOrName, "")
	if err != nil {
		return nil, err
	}
	var a ServiceAccount
	if err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, out: &a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListServiceAccounts returns one page.
func (c *Client) ListServiceAccounts(ctx context.Context, opts ListServiceAccountsOptions) (*ServiceAccountList, error) {
	var list ServiceAccountList
	if err := c.do(ctx, call{method: http.MethodGet, path: serviceAccountsPath, query: opts.query(), out: &list}); err != nil {
		return nil, err
	}
	return &list, nil
}

// ListAllServiceAccounts walks every page from opts.PageToken on.
func (c *Client) ListAllServiceAccounts(ctx context.Context, opts ListServiceAccountsOptions) ([]ServiceAccount, error) {
	return allPages(ctx, serviceAccountsPath, opts.PageToken, func(ctx context.Context, token string) ([]ServiceAccount, string, error) {
		opts.PageToken = token
		page, err := c.ListServiceAccounts(ctx, opts)
		if err != nil {
			return nil, "", err
		}
		return page.Items, page.NextPageToken, nil
	})
}

// UpdateServiceAccount applies a merge patch. Setting Active to false stops every key of the
// account from verifying until it is set back to true.
func (c *Client) UpdateServiceAccount(ctx context.Context, id string, req UpdateServiceAccountRequest) (*ServiceAccount, error) {
	path, err := resourcePath(serviceAccountsPath, id, "")
	if err != nil {
		return nil, err
	}
	var a ServiceAccount
	if err := c.do(ctx, call{method: http.MethodPatch, path: path, in: req, out: &a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// DeleteServiceAccount deletes the account and revokes all of its keys. A missing (or already
// deleted) account is ErrNotFound; the caller decides whether that counts as success.
func (c *Client) DeleteServiceAccount(ctx context.Context, id string) error {
	path, err := resourcePath(serviceAccountsPath, id, "")
	if err != nil {
		return err
	}
	return c.do(ctx, call{method: http.MethodDelete, path: path})
}
