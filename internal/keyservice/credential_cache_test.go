package keyservice

import (
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

func TestCredentialCacheGenerations(t *testing.T) {
	gen := &fakeGenerations{}
	c := &credentialCache{generations: gen, observer: noObserver{}, entries: map[string]store.Credential{}}
	cred := store.Credential{Key: store.APIKey{ID: "key_1"}, ProjectLive: true, ServiceAccountUsable: true}

	c.put("h", cred, c.current())
	if _, ok := c.get("h"); !ok {
		t.Fatal("no entry under the generation it was read under")
	}
	gen.n++
	if _, ok := c.get("h"); ok {
		t.Fatal("an entry survived a write")
	}
	stale := gen.n - 1
	c.put("h", cred, gen.n)
	c.put("old", cred, stale) // read before the last write: dropped
	if _, ok := c.get("old"); ok {
		t.Error("an entry read under an older generation was kept")
	}
	if _, ok := c.get("h"); !ok {
		t.Error("the current entry was lost")
	}
	var none *credentialCache
	none.put("h", cred, 0)
	if _, ok := none.get("h"); ok || none.current() != 0 {
		t.Error("a nil cache (a store without generations) cached something")
	}
}

type fakeGenerations struct{ n uint64 }

func (f *fakeGenerations) WriteGeneration() uint64 { return f.n }
