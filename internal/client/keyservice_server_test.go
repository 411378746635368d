package client

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
)

// newKeyserviceClient starts the real key service in-process and returns a client of it with
// the admin token, for tests of the request shapes against the API itself.
func newKeyserviceClient(t *testing.T) *Client {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ks.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := keyservice.NewServer(keyservice.Config{
		Store: st, AdminToken: testToken, ServerSecret: []byte("0123456789abcdef0123456789abcdef-client-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		st.Close()
	})
	return newTestClient(t, ts.URL)
}
