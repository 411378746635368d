package keyservice

import (
	"errors"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// FuzzPageToken feeds arbitrary strings to the decoding of page tokens: a cursor, or a
// validation error naming page_token, never a panic; and what a token encodes decodes back.
func FuzzPageToken(f *testing.F) {
	fp := queryFingerprint("api_keys", "prj_1")
	for _, seed := range []string{"", "AAAA", "%FF%FE", encodePageToken(fp, store.Cursor{ID: "key_1", Time: time.Unix(1, 0)}),
		encodePageToken(fp, store.Cursor{ID: "key_2", Null: true}), encodePageToken(fp, store.Cursor{ID: "key_3", String: "a"})} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := decodePageToken(raw, fp)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.Kind != KindValidation || de.Field != "page_token" {
				t.Fatalf("page token %q: %v is not a page_token error", raw, err)
			}
			return
		}
		if c == nil {
			return
		}
		again, err := decodePageToken(encodePageToken(fp, *c), fp)
		if err != nil || again.ID != c.ID || again.Null != c.Null || again.String != c.String || !again.Time.Equal(c.Time) {
			t.Fatalf("token %q decodes to %+v, which encodes and decodes to %+v (%v)", raw, c, again, err)
		}
	})
}
