package keyservice

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

const (
	defaultPageSize = 100
	// MaxPageSize is the most items a page may hold.
	MaxPageSize = 1000
)

// pageToken is the opaque cursor handed to clients. It carries the sort
// position of the last item and a fingerprint of the query, so a token used
// with different filters or ordering is refused instead of skipping items.
type pageToken struct {
	Version    int    `json:"v"`
	Query      string `json:"q"`
	TimeMicros *int64 `json:"t,omitempty"`
	Null       bool   `json:"z,omitempty"`
	String     string `json:"s,omitempty"`
	ID         string `json:"i"`
}

func queryFingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func encodePageToken(fingerprint string, c store.Cursor) string {
	t := pageToken{Version: 1, Query: fingerprint, ID: c.ID, Null: c.Null, String: c.String}
	if !c.Time.IsZero() {
		us := c.Time.UnixMicro()
		t.TimeMicros = &us
	}
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePageToken(raw, fingerprint string) (*store.Cursor, error) {
	if raw == "" {
		return nil, nil
	}
	bad := Invalid("page_token", "is not a valid page token for this query")
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(raw) > 1024 {
		return nil, bad
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.Version != 1 || t.Query != fingerprint || t.ID == "" {
		return nil, bad
	}
	c := &store.Cursor{ID: t.ID, Null: t.Null, String: t.String}
	if t.TimeMicros != nil {
		c.Time = time.UnixMicro(*t.TimeMicros).UTC()
	}
	return c, nil
}

// pageQuery is one page of a list being read: its size, the cursor it starts after, and the
// fingerprint of the query, which the next page's token carries.
type pageQuery struct {
	size        int
	after       *store.Cursor
	fingerprint string
}

// openPage checks a page request: its size (0: the default) and its token, which must come from
// the same query (the same parts: filters and order).
func openPage(size int, token string, query ...string) (pageQuery, error) {
	size, err := validatePageSize(size)
	if err != nil {
		return pageQuery{}, err
	}
	q := pageQuery{size: size, fingerprint: queryFingerprint(query...)}
	if q.after, err = decodePageToken(token, q.fingerprint); err != nil {
		return pageQuery{}, err
	}
	return q, nil
}

// limit is what the store is asked for: one row more than the page shows, to know whether
// another page follows.
func (q pageQuery) limit() int { return q.size + 1 }

// closePage makes the page of the rows read with q.limit(), with the token of the next page
// when there is one: the cursor after the page's last row.
func closePage[T any](q pageQuery, items []T, cursor func(T) store.Cursor) Page[T] {
	if len(items) <= q.size {
		return Page[T]{Items: items}
	}
	items = items[:q.size]
	return Page[T]{Items: items, NextPageToken: encodePageToken(q.fingerprint, cursor(items[q.size-1]))}
}

// requireProjectID checks that a list of a project's resources names the project. Whether the
// principal reaches it is checked after the rest of the query, so that a project it does not
// reach is answered exactly as one that does not exist.
func requireProjectID(projectID string) error {
	if projectID == "" {
		return Invalid("project_id", "is required")
	}
	return nil
}

// parseSort reads a sort_by value: one of allowed (the first is the default, for ""), prefixed
// with "-" for descending order.
func parseSort(sortBy string, allowed ...store.APIKeySort) (store.APIKeySort, bool, error) {
	if sortBy == "" {
		return allowed[0], false, nil
	}
	field, desc := strings.CutPrefix(sortBy, "-")
	if i := slices.Index(allowed, store.APIKeySort(field)); i >= 0 {
		return allowed[i], desc, nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", false, Invalid("sort_by", "must be one of %s, optionally prefixed with -", strings.Join(names, ", "))
}

// sortKey is a parsed sort order as sort_by writes it, for fingerprints: "" and "created_at"
// are one order.
func sortKey(sortBy store.APIKeySort, desc bool) string {
	if desc {
		return "-" + string(sortBy)
	}
	return string(sortBy)
}

func validatePageSize(size int) (int, error) {
	if size == 0 {
		return defaultPageSize, nil
	}
	if size < 1 || size > MaxPageSize {
		return 0, Invalid("page_size", "must be between 1 and %d", MaxPageSize)
	}
	return size, nil
}
