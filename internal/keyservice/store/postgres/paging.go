package postgres

import (
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// queryArgs numbers positional parameters as they are added.
type queryArgs []any

func (a *queryArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// noExpiry sorts keys that never expire after every key that does; the expiry indexes are
// on it.
const noExpiry = "COALESCE(expires_at, 'infinity'::timestamptz)"

// sortKey is the column expression a list is ordered by (ties break on id)
// and how a cursor supplies its value.
type sortKey struct {
	expr  string
	value func(c *store.Cursor) any
}

func sortKeyFor(by store.APIKeySort) sortKey {
	switch by {
	case store.SortByName:
		return sortKey{"name", func(c *store.Cursor) any { return c.String }}
	case store.SortByExpiresAt:
		// Keys that never expire sort after every key that does.
		return sortKey{noExpiry, func(c *store.Cursor) any {
			if c.Null {
				return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
			}
			return ts(c.Time)
		}}
	default:
		return sortKey{"created_at", func(c *store.Cursor) any { return ts(c.Time) }}
	}
}

// page returns the condition that starts the page after the cursor (empty
// without one) and the ORDER BY clause, both in direction desc.
func (k sortKey) page(args *queryArgs, after *store.Cursor, desc bool) (cond, orderBy string) {
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	if after != nil {
		cond = fmt.Sprintf("(%s, id) %s (%s, %s)", k.expr, cmp, args.add(k.value(after)), args.add(after.ID))
	}
	return cond, fmt.Sprintf(" ORDER BY %[1]s %[2]s, id %[2]s", k.expr, dir)
}
