package sqlite

import (
	"fmt"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// keyset is keyset pagination over one sort expression with id as the tie-breaker: the rows
// after a cursor are those whose (sort value, id) compares greater (or less, descending).
type keyset struct {
	expr  string                    // SQL sort expression
	value func(c *store.Cursor) any // the cursor's value for expr
}

var (
	byCreatedAt = keyset{expr: "created_at", value: func(c *store.Cursor) any { return toMicros(c.Time) }}
	byName      = keyset{expr: "name", value: func(c *store.Cursor) any { return c.String }}
)

// page adds the cursor condition to where/args and returns the ORDER BY … LIMIT ? tail, whose
// limit argument is appended too.
func (k keyset) page(where []string, args []any, after *store.Cursor, desc bool, limit int) ([]string, []any, string) {
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	if after != nil {
		v := k.value(after)
		where = append(where, fmt.Sprintf("(%[1]s %[2]s ? OR (%[1]s = ? AND id %[2]s ?))", k.expr, cmp))
		args = append(args, v, v, after.ID)
	}
	return where, append(args, limit), fmt.Sprintf(" ORDER BY %[1]s %[2]s, id %[2]s LIMIT ?", k.expr, dir)
}
