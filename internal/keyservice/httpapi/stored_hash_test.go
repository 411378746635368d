package httpapi_test

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http"
	"testing"

	_ "modernc.org/sqlite"
)

// TestStoredHashIsAPepperedHMAC reads the database file directly: the row of a key holds
// hex(HMAC-SHA-256(pepper, secret)), the pepper derived from the server secret with HKDF under
// its own label, and hash_version 1. Not a bare SHA-256, so a stolen database alone cannot
// confirm a guessed key; and a version, so the scheme can change.
func TestStoredHashIsAPepperedHMAC(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProject("p")
	r := e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "hashed"})
	expectStatus(t, r, http.StatusCreated)
	id, secret := r.str(t, "id"), r.str(t, "key")

	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored string
	var version int
	if err := db.QueryRow(`SELECT key_hash, hash_version FROM api_keys WHERE id = ?`, id).Scan(&stored, &version); err != nil {
		t.Fatal(err)
	}
	pepper, err := hkdf.Key(sha256.New, testSecret, nil, "keyservice/v1/key-hash-pepper", 32)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, pepper)
	mac.Write([]byte(secret))
	if want := hex.EncodeToString(mac.Sum(nil)); stored != want {
		t.Errorf("stored hash %s, want HMAC-SHA-256 under the pepper %s", stored, want)
	}
	bare := sha256.Sum256([]byte(secret))
	if stored == hex.EncodeToString(bare[:]) {
		t.Error("the stored hash is a bare SHA-256 of the key")
	}
	if version != 1 {
		t.Errorf("hash_version = %d, want 1 (HMAC-SHA-256)", version)
	}
}
