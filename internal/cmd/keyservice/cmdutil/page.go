package cmdutil

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
)

// maxPageSize is the most items the API returns in one page.
const maxPageSize = 1000

// Page is a list command's --offset and --limit: which part of the result to print.
type Page struct {
	Offset int
	Limit  int
}

// Register adds -o/--offset and -l/--limit to fs.
func (p *Page) Register(fs *pflag.FlagSet) {
	fs.IntVarP(&p.Offset, "offset", "o", 0, "skip this many of the result")
	fs.IntVarP(&p.Limit, "limit", "l", 100, "print at most this many")
}

// Check refuses a negative offset or a limit below 1.
func (p Page) Check() error {
	if p.Offset < 0 {
		return UsageErrorf("--offset %d: want 0 or more", p.Offset)
	}
	if p.Limit < 1 {
		return UsageErrorf("--limit %d: want 1 or more", p.Limit)
	}
	return nil
}

// ReadPages walks a cursor-paged list in the API's order and returns the p.Limit items after the
// first p.Offset of those keep accepts (all of them when keep is nil). fetch reads one page of
// at most size items from token on and returns the next token ("" after the last page).
//
// It stops reading once it has them: the API's order is stable, so that is what reading the
// whole list and then cutting it would give. With a keep filter it reads full pages, since it
// cannot tell how many of a page will be kept.
func ReadPages[T any](ctx context.Context, p Page, keep func(T) bool,
	fetch func(ctx context.Context, size int, token string) ([]T, string, error)) ([]T, error) {
	want := p.Offset + p.Limit
	size := maxPageSize
	if keep == nil {
		size = min(want, maxPageSize)
	}
	found := []T{}
	seen := map[string]bool{}
	token := ""
	for {
		items, next, err := fetch(ctx, size, token)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if keep == nil || keep(it) {
				found = append(found, it)
			}
		}
		if len(found) >= want || next == "" {
			break
		}
		// A server that hands out a page token twice would keep us here forever.
		if seen[next] {
			return nil, fmt.Errorf("the key service returned page token %q twice", next)
		}
		seen[next] = true
		token = next
	}
	if p.Offset >= len(found) {
		return []T{}, nil
	}
	return found[p.Offset:min(want, len(found))], nil
}
