package acctest

import (
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// StartServer starts keyserviced in-process, as NewServer does, but without the TF_ACC gate:
// for the tests of programs that need the server and no Terraform CLI (the keyservice command
// line's scripts), which belong to the unit tests.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		AdminToken: "ksadmin-" + randomHex(t, 24),
		DBPath:     filepath.Join(t.TempDir(), "keyservice.db"),
		Clock:      &Clock{},
		secret:     make([]byte, 32),
	}
	if _, err := rand.Read(s.secret); err != nil {
		t.Fatal(err)
	}
	s.start(t, "127.0.0.1:0")
	t.Cleanup(s.stop(t))
	s.URL = s.http.URL
	var err error
	s.Client, err = client.New(client.Config{Endpoint: s.URL, Token: s.AdminToken, MaxRetries: 1})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return s
}
