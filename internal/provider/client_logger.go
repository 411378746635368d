package provider

import (
	"context"
	"regexp"

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
}

var _ client.Logger = tflogLogger{}

func newTflogLogger(secrets ...string) tflogLogger {
	var l tflogLogger
	for _, s := range secrets {
		if s != "" {
			l.secrets = append(l.secrets, s)
		}
	}
	return l
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
