package httpapi_test

import (
	"context"
	"sync"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// countingStore counts the store reads a credential check may make.
type countingStore struct {
	store.Store
	mu    sync.Mutex
	calls []string
}

func (c *countingStore) note(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, name)
}

// take returns the calls since the last take.
func (c *countingStore) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}

func (c *countingStore) GetCredential(ctx context.Context, keyHash string) (store.Credential, error) {
	c.note("GetCredential")
	return c.Store.GetCredential(ctx, keyHash)
}

func (c *countingStore) GetAPIKey(ctx context.Context, id string) (store.APIKey, error) {
	c.note("GetAPIKey")
	return c.Store.GetAPIKey(ctx, id)
}

func (c *countingStore) GetProject(ctx context.Context, id string) (store.Project, error) {
	c.note("GetProject")
	return c.Store.GetProject(ctx, id)
}

func (c *countingStore) GetServiceAccount(ctx context.Context, id string) (store.ServiceAccount, error) {
	c.note("GetServiceAccount")
	return c.Store.GetServiceAccount(ctx, id)
}
