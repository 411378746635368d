package apikey

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
)

// NewCmdEnable is api-key enable.
func NewCmdEnable(f *cmdutil.Factory, runF func(context.Context, *ActiveOptions) error) *cobra.Command {
	return newCmdActive(f, runF, true, &cobra.Command{
		Use:     "enable KEY",
		Short:   "Let a disabled API key work again",
		Example: `  keyservice api-key enable ci-deployer`,
	})
}
