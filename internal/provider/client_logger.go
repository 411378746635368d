package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
)

// keySecretPattern matches a keyservice API key anywhere in a log line, a second line of
// defence behind the client's own redaction of `key` fields.
var keySecretPattern = regexp.MustCompile(`ks_[0-9A-Za-z_]{20,}`)

// tflogLogger bridges the client's request logs to tflog, through the context of the request
// being logged (never a context captured at Configure), with the token and any key masked.
type tflogLogger struct {
	token string
}

var _ client.Logger = tflogLogger{}

func newTflogLogger(token string) tflogLogger { return tflogLogger{token: token} }

func (l tflogLogger) Log(ctx context.Context, level client.Level, msg string, fields map[string]any) {
	ctx = tflog.MaskLogRegexes(ctx, keySecretPattern)
	if l.token != "" {
		ctx = tflog.MaskLogStrings(ctx, l.token)
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
