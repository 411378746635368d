package keyservice

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
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

func validatePageSize(size int) (int, error) {
	if size == 0 {
		return defaultPageSize, nil
	}
	if size < 1 || size > MaxPageSize {
		return 0, Invalid("page_size", "must be between 1 and %d", MaxPageSize)
	}
	return size, nil
}
