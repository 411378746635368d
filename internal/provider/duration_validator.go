package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// durationValidator checks that a string is a Go duration ("30s", "24h") within [min, max].
type durationValidator struct {
	min, max time.Duration
}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(_ context.Context) string {
	return fmt.Sprintf("must be a Go duration such as \"30s\" or \"24h\", between %s and %s", v.min, v.max)
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a duration: %s. Use a Go duration such as \"30s\", \"15m\" or \"24h\".", req.ConfigValue.ValueString(), err))
		return
	}
	if d < v.min || d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration Out Of Range",
			fmt.Sprintf("%s is outside the allowed range: it %s.", d, v.Description(ctx)))
	}
}
