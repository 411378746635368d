package provider

import (
	"context"
	"os"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// keySecretPattern matches a keyservice API key (ks_…, with an environment segment such as
// ks_eu-west_…) or webhook signing secret (whsec_…) anywhere in a log line, a second line of
// defence behind the client's own redaction of `key` and `webhook_signing_secret` fields.
var keySecretPattern = regexp.MustCompile(`ks_[0-9A-Za-z_-]{20,}|whsec_[0-9A-Za-z]{20,}`)

// tflogLogger bridges the client's request logs to tflog, through the context of the request
// being logged (never a context captured at Configure), with the token, the one-time code and
// any key masked.
type tflogLogger struct {
	secrets []string
	// bodies is whether trace logging was asked for (see traceRequested).
	bodies bool
}

var (
	_ client.Logger       = tflogLogger{}
	_ client.LevelEnabler = tflogLogger{}
)

func newTflogLogger(secrets ...string) tflogLogger {
	l := tflogLogger{bodies: traceRequested(os.Getenv)}
	for _, s := range secrets {
		if s != "" {
			l.secrets = append(l.secrets, s)
		}
	}
	return l
}

// Enabled lets the client skip entries tflog would drop. A provider's logger takes every level
// unless TF_LOG_PROVIDER says otherwise: Terraform filters what the provider writes. So trace
// entries, which carry whole request and response bodies, are built only when TF_LOG,
// TF_LOG_PROVIDER or TF_LOG_PROVIDER_KEYSERVICE asks for trace (or JSON) logs; otherwise every
// page of a list would be redacted, encoded, piped to Terraform and thrown away there.
func (l tflogLogger) Enabled(ctx context.Context, level client.Level) bool {
	switch level {
	case client.LevelTrace:
		return l.bodies && tflog.IsTrace(ctx)
	case client.LevelDebug:
		return tflog.IsDebug(ctx)
	case client.LevelInfo:
		return tflog.IsInfo(ctx)
	case client.LevelWarn:
		return tflog.IsWarn(ctx)
	default:
		return tflog.IsError(ctx)
	}
}

// traceRequested reports whether the environment asks for trace logs of this provider.
func traceRequested(getenv func(string) string) bool {
	for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_KEYSERVICE"} {
		switch strings.ToUpper(strings.TrimSpace(getenv(name))) {
		case "TRACE", "JSON":
			return true
		}
	}
	return false
}

func (l tflogLogger) Log(ctx context.Context, level client.Level, msg string, fields map[string]any) {
	ctx = tflog.MaskLogRegexes(ctx, keySecretPattern)
	if len(l.secrets) > 0 {
		ctx = tflog.MaskLogStrings(ctx, l.secrets...)
	}
	switch level {
	case client.LevelTrace:
		tflog.Trace(ctx, msg, fields)
	case client.LevelDebug:
		tflog.Debug(ctx, msg, fields)
	case client.LevelInfo:
		tflog.Info(ctx, msg, fields)
	case client.LevelWarn:
		tflog.Warn(ctx, msg, fields)
	default:
		tflog.Error(ctx, msg, fields)
	}
}
