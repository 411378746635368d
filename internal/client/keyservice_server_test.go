package client

import (
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
)

// newKeyserviceClient starts the real key service in-process and returns a client of it with
// the admin token, for tests of the request shapes against the API itself.
func newKeyserviceClient(t *testing.T) *Client {
	t.Helper()
	srv := keyservicetest.New(t, keyservicetest.Options{AdminToken: testToken, Clock: keyservicetest.WallClock()})
	return newTestClient(t, srv.URL)
}
