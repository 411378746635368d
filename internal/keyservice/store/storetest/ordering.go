package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// testListOrder checks the exact order of every sort, both directions, in one
// page and page by page: names compare bytewise (whatever the database's
// locale), keys without expiry sort after all others, ties break on id.
func testListOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	names := []string{"beta", "Beta", "alpha", "Zulu", "zeta", "élan", "a b", "a-b", "a_b", "b", "B", "ab"}
	var keys []store.APIKey
	for i, name := range names {
		k := newKey(fmt.Sprintf("key_%02d", (i*7)%len(names)), "prj_1", name)
		k.CreatedAt = base.Add(time.Duration(i%4) * time.Millisecond) // ties on purpose
		if i%3 != 0 {
			k.ExpiresAt = ptr(base.Add(time.Duration(i%2) * time.Hour)) // ties, and nulls
		}
		keys = append(keys, mustKey(t, s, k))
	}

	for _, sortBy := range []store.APIKeySort{store.SortByCreatedAt, store.SortByName, store.SortByExpiresAt} {
		for _, desc := range []bool{false, true} {
			want := slices.Clone(keys)
			slices.SortFunc(want, func(a, b store.APIKey) int {
				c := compareBy(sortBy, a, b)
				if c == 0 {
					c = strings.Compare(a.ID, b.ID)
				}
				if desc {
					c = -c
				}
				return c
			})
			wantIDs := ids(want)

			all, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", SortBy: sortBy, Descending: desc, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(all); !slices.Equal(got, wantIDs) {
				t.Errorf("%s desc=%v one page:\n got %v\nwant %v", sortBy, desc, got, wantIDs)
			}

			var paged []store.APIKey
			var after *store.Cursor
			for range len(keys) + 1 {
				page, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", SortBy: sortBy, Descending: desc, After: after, Limit: 5})
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, page...)
				if len(page) < 5 {
					break
				}
				c := sortBy.CursorAfter(page[len(page)-1])
				after = &c
			}
			if got := ids(paged); !slices.Equal(got, wantIDs) {
				t.Errorf("%s desc=%v in pages of 5:\n got %v\nwant %v", sortBy, desc, got, wantIDs)
			}
		}
	}
}

func compareBy(sortBy store.APIKeySort, a, b store.APIKey) int {
	switch sortBy {
	case store.SortByName:
		return strings.Compare(a.Name, b.Name)
	case store.SortByExpiresAt:
		switch {
		case a.ExpiresAt == nil && b.ExpiresAt == nil:
			return 0
		case a.ExpiresAt == nil:
			return 1
		case b.ExpiresAt == nil:
			return -1
		}
		return a.ExpiresAt.Compare(*b.ExpiresAt)
	default:
		return cmp.Compare(a.CreatedAt.UnixMicro(), b.CreatedAt.UnixMicro())
	}
}

func ids(keys []store.APIKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

// testTimePrecision: times are kept to the microsecond (truncated, never
// rounded up) and come back in UTC, whatever location they were written in.
func testTimePrecision(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustProject(t, s, "prj_1", "one")
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	at := time.Date(2031, 5, 6, 7, 8, 9, 123456789, zone)
	k := newKey("key_1", "prj_1", "a")
	k.CreatedAt, k.UpdatedAt, k.ExpiresAt = at, at, ptr(at.Add(time.Hour))
	mustKey(t, s, k)
	got, err := s.GetAPIKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := at.Truncate(time.Microsecond)
	if !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC || got.CreatedAt.Nanosecond()%1000 != 0 {
		t.Fatalf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want.UTC())
	}
	if !got.ExpiresAt.Equal(want.Add(time.Hour)) || got.ExpiresAt.Location() != time.UTC {
		t.Fatalf("ExpiresAt = %v, want %v in UTC", got.ExpiresAt, want.Add(time.Hour).UTC())
	}
	// A cursor built from a value read back finds the row exactly.
	page, err := s.ListAPIKeys(ctx, store.APIKeyFilter{ProjectID: "prj_1", SortBy: store.SortByCreatedAt,
		After: &store.Cursor{Time: got.CreatedAt, ID: "key_0"}, Limit: 10})
	if err != nil || len(page) != 1 {
		t.Fatalf("cursor at the stored time: %d keys, %v", len(page), err)
	}
}
