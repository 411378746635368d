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
	tie   string // the tie-breaking column; "" is id
}

func sortKeyFor(by store.APIKeySort) sortKey {
	switch by {
	case store.SortByName:
		return sortKey{expr: "name", value: func(c *store.Cursor) any { return c.String }}
	case store.SortByExpiresAt:
		// Keys that never expire sort after every key that does.
		return sortKey{expr: noExpiry, value: func(c *store.Cursor) any {
			if c.Null {
				return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
			}
			return ts(c.Time)
		}}
	default:
		return sortKey{expr: "created_at", value: func(c *store.Cursor) any { return ts(c.Time) }}
	}
}

// page returns the condition that starts the page after the cursor (empty
// without one) and the ORDER BY clause, both in direction desc.
func (k sortKey) page(args *queryArgs, after *store.Cursor, desc bool) (cond, orderBy string) {
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	tie := k.tie
	if tie == "" {
		tie = "id"
	}
	if after != nil {
		cond = fmt.Sprintf("(%s, %s) %s (%s, %s)", k.expr, tie, cmp, args.add(k.value(after)), args.add(after.ID))
	}
	return cond, fmt.Sprintf(" ORDER BY %[1]s %[2]s, %[3]s %[2]s", k.expr, dir, tie)
}
