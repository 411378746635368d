package keyservice

import (
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// fakeChanges is a store.CredentialChanges whose liveness the test sets.
type fakeChanges struct {
	store.Store
	changed func(store.CredentialChange)
	down    bool
}

func (f *fakeChanges) WatchCredentials(changed func(store.CredentialChange)) func() bool {
	f.changed = changed
	return func() bool { return !f.down }
}

func TestCredentialCacheInvalidation(t *testing.T) {
	f := &fakeChanges{}
	c := newCredentialCache(f, noObserver{})
	sa := "sa_1"
	creds := map[string]store.Credential{
		"h1": {Key: store.APIKey{ID: "key_1", ProjectID: "prj_1"}},
		"h2": {Key: store.APIKey{ID: "key_2", ProjectID: "prj_1", ServiceAccountID: &sa}},
		"h3": {Key: store.APIKey{ID: "key_3", ProjectID: "prj_2"}},
	}
	fill := func() {
		for h, cred := range creds {
			c.put(h, cred, c.current())
		}
	}
	cached := func() map[string]bool {
		out := map[string]bool{}
		for h := range creds {
			if _, ok := c.get(h); ok {
				out[h] = true
			}
		}
		return out
	}
	for name, tc := range map[string]struct {
		change store.CredentialChange
		left   []string
	}{
		"nothing":         {store.CredentialChange{}, []string{"h1", "h2", "h3"}},
		"one key":         {store.CredentialChange{KeyIDs: []string{"key_1"}}, []string{"h2", "h3"}},
		"a project":       {store.CredentialChange{ProjectIDs: []string{"prj_1"}}, []string{"h3"}},
		"service account": {store.CredentialChange{ServiceAccountIDs: []string{sa}}, []string{"h1", "h3"}},
		"everything":      {store.CredentialChange{All: true}, nil},
		"unknown key":     {store.CredentialChange{KeyIDs: []string{"key_9"}}, []string{"h1", "h2", "h3"}},
	} {
		fill()
		f.changed(tc.change)
		got := cached()
		if len(got) != len(tc.left) {
			t.Errorf("%s: cached after the change %v, want %v", name, got, tc.left)
		}
		for _, h := range tc.left {
			if !got[h] {
				t.Errorf("%s: %s dropped, want it kept", name, h)
			}
		}
	}

	// A read that overlapped a change keeps nothing: it may predate the write.
	f.changed(store.CredentialChange{All: true})
	seen := c.current()
	f.changed(store.CredentialChange{KeyIDs: []string{"key_3"}})
	c.put("h1", creds["h1"], seen)
	if _, ok := c.get("h1"); ok {
		t.Error("an entry read before a change was kept")
	}

	// Not live: nothing served, nothing kept.
	fill()
	f.down = true
	if _, ok := c.get("h1"); ok {
		t.Error("served from memory while the store does not vouch for its deliveries")
	}
	c.put("h9", creds["h1"], c.current())
	f.down = false
	if _, ok := c.get("h9"); ok {
		t.Error("kept an entry read while not live")
	}

	var none *credentialCache
	none.put("h", creds["h1"], 0)
	if _, ok := none.get("h"); ok || none.current() != 0 {
		t.Error("a nil cache (a store that reports no changes) cached something")
	}
}
