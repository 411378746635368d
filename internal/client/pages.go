package client

import (
	"context"
	"fmt"
)

// allPages walks a paged list from token on: fetch returns one page's items and the next token.
func allPages[T any](ctx context.Context, path, token string, fetch func(ctx context.Context, token string) ([]T, string, error)) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	for {
		items, next, err := fetch(ctx, token)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		// A server that hands out a token twice would loop us forever.
		if seen[next] {
			return nil, fmt.Errorf("keyservice: GET %s: the server returned page token %q twice", path, next)
		}
		seen[next] = true
		token = next
	}
}
