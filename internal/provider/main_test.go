package provider_test

import (
	"os"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/acctest"
)

func TestMain(m *testing.M) {
	os.Exit(acctest.RunMain(m))
}
