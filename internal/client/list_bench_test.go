package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkListAPIKeysPage reads one page of 1,000 keys, as the keyservice_api_keys data source
// does ten times over 10,000 keys: with a logger that drops trace entries and says so (the
// provider's, without TF_LOG=trace), and with one that takes them all.
func BenchmarkListAPIKeysPage(b *testing.B) {
	var items []string
	for i := range 1000 {
		items = append(items, fmt.Sprintf(`{"id":"key_%05d","project_id":"prj_1","service_account_id":null,"environment_id":null,`+
			`"name":"svc-%05d","description":"","key_prefix":"ks_AbCdEfGhI","scopes":["read","deploy:write"],"active":true,`+
			`"expires_at":null,"last_used_at":null,"created_at":"2030-01-01T00:00:00Z","updated_at":"2030-01-01T00:00:00Z",`+
			`"revoked_at":null,"replaced_by_key_id":null,"grace_expires_at":null,"rotation_interval_days":null,`+
			`"next_rotation_at":null,"rotation_webhook_url":null}`, i, i))
	}
	page := `{"items":[` + strings.Join(items, ",") + `],"next_page_token":""}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()

	for _, tc := range []struct {
		name   string
		logger Logger
	}{
		{"trace dropped", &discardingLogger{enabled: LevelDebug}},
		{"trace taken", &discardingLogger{enabled: LevelTrace}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := New(Config{Endpoint: srv.URL, Token: "t", Logger: tc.logger})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				list, err := c.ListAPIKeys(context.Background(), ListAPIKeysOptions{ProjectID: "prj_1", PageSize: 1000})
				if err != nil || len(list.Items) != 1000 {
					b.Fatalf("%v, %d items", err, len(list.Items))
				}
			}
		})
	}
}

// discardingLogger takes entries from level enabled up and throws them away.
type discardingLogger struct{ enabled Level }

func (l *discardingLogger) Log(context.Context, Level, string, map[string]any) {}

func (l *discardingLogger) Enabled(_ context.Context, level Level) bool { return level >= l.enabled }
