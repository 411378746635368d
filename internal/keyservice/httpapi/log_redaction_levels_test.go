package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/keyservicetest"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// faultyStore fails chosen operations on demand, to drive the server's WARN and ERROR paths.
type faultyStore struct {
	store.Store
	failRecords atomic.Bool // PutIdempotencyRecord fails: WARN "idempotency record not stored"
	failReads   atomic.Bool // GetCredential and GetAPIKey fail: 500, ERROR "internal error"
}

var errInjected = errors.New("injected store failure")

func (f *faultyStore) PutIdempotencyRecord(ctx context.Context, rec store.IdempotencyRecord) error {
	if f.failRecords.Load() {
		return errInjected
	}
	return f.Store.PutIdempotencyRecord(ctx, rec)
}

func (f *faultyStore) GetCredential(ctx context.Context, keyHash string) (store.Credential, error) {
	if f.failReads.Load() {
		return store.Credential{}, errInjected
	}
	return f.Store.GetCredential(ctx, keyHash)
}

func (f *faultyStore) GetAPIKey(ctx context.Context, id string) (store.APIKey, error) {
	if f.failReads.Load() {
		return store.APIKey{}, errInjected
	}
	return f.Store.GetAPIKey(ctx, id)
}

// TestServerLogsHoldNoSecretsAtAnyLevel runs the server at each log level and drives every
// path that handles a secret (key create, replay, rotation, verification, scheduled rotation
// with a webhook that fails once and echoes what it got, webhook signing secrets, one-time
// code enrolment) and every path that logs at WARN or ERROR, with secrets also put where they
// do not belong (a URL, a malformed body, a wrong Authorization header). Every value that an
// answer or a webhook carried under a secret's name, and the admin token, must be absent from
// the log, whole or in part, while the log holds what each level should.
func TestServerLogsHoldNoSecretsAtAnyLevel(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		t.Run(level.String(), func(t *testing.T) {
			faulty := &faultyStore{}
			e := newTestEnvWith(t, keyservicetest.Options{
				LogLevel:  level,
				WrapStore: func(st store.Store) store.Store { faulty.Store = st; return faulty },
				Service:   func(cfg *keyservice.Config) { cfg.Webhook.Attempts = 3 },
			})
			secrets := driveSecretPaths(t, e, faulty)
			logs := e.logs.String()
			want := map[slog.Level][]string{
				slog.LevelDebug: {`"route":"POST /v1/api-keys"`, `"principal":"admin"`},
				slog.LevelInfo:  {`"msg":"request"`, `"msg":"key rotated on schedule"`, `"msg":"webhook delivered"`},
				slog.LevelWarn:  {`"msg":"idempotency record not stored"`, `"msg":"webhook attempt failed"`},
				slog.LevelError: {`"msg":"internal error"`},
			}
			for l, needles := range want {
				for _, needle := range needles {
					if l >= level && !strings.Contains(logs, needle) {
						t.Errorf("the %s log lacks %s: the test would not see a leak there", level, needle)
					}
				}
			}
			if len(secrets) < 8 {
				t.Fatalf("collected only %d secrets", len(secrets))
			}
			for _, s := range secrets {
				if strings.Contains(logs, s) || len(s) >= 16 && strings.Contains(logs, s[len(s)/2:]) {
					t.Errorf("the %s log holds a secret (%d chars, starting %.6s)", level, len(s), s)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
				if line != "" && !json.Valid([]byte(line)) {
					t.Errorf("log line is not JSON: %s", line)
				}
			}
		})
	}
}

// driveSecretPaths exercises the server and returns every secret it handed out or was sent.
func driveSecretPaths(t *testing.T, e *testEnv, faulty *faultyStore) []string {
	t.Helper()
	secrets := []string{testAdminToken}
	collect := func(r response) response {
		secrets = append(secrets, secretValues(r.raw)...)
		return r
	}
	var delivered []string
	var deliveries atomic.Int32
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		delivered = append(delivered, secretValues(body)...)
		delivered = append(delivered, r.Header.Get("X-Keyservice-Signature"))
		mu.Unlock()
		if deliveries.Add(1) == 1 {
			// A receiver that fails and echoes what it got.
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(body)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()

	pr := collect(e.admin("POST", "/v1/projects", map[string]any{"name": "p"}))
	expectStatus(t, pr, http.StatusCreated)
	pid := pr.str(t, "id")
	collect(e.admin("POST", "/v1/projects/"+pid+"/webhook-signing-secret/rotate", nil))
	otp := collect(e.admin("POST", "/v1/projects/"+pid+"/otp", nil))
	expectStatus(t, otp, http.StatusCreated)
	otpSecret, _ := totpEncoding.DecodeString(otp.str(t, "otp_secret"))
	code := func() reqOpt { return e.freshOTP(otpSecret) }

	body := map[string]any{"project_id": pid, "name": "a", "scopes": []string{"keys:admin"},
		"rotation_interval_days": 1, "rotation_webhook_url": hook.URL}
	k := collect(e.admin("POST", "/v1/api-keys", body, withHeader("Idempotency-Key", "idem-a"), code()))
	expectStatus(t, k, http.StatusCreated)
	collect(e.admin("POST", "/v1/api-keys", body, withHeader("Idempotency-Key", "idem-a"), code())) // replay
	id, secret := k.str(t, "id"), k.str(t, "key")
	rot := collect(e.admin("POST", "/v1/api-keys/"+id+"/rotate", map[string]any{"grace_period_seconds": 60}, code()))
	expectStatus(t, rot, http.StatusCreated)

	// Secrets where they do not belong.
	e.verify(secret)
	e.verify(rot.str(t, "key"))
	e.verify(secret[:len(secret)-2] + "zz")
	e.do("GET", "/v1/api-keys?project_id="+pid+"&key="+secret, testAdminToken, nil)
	e.do("GET", "/v1/projects", secret+"x", nil)
	e.do("GET", "/v1/projects", "wrong-"+testAdminToken, nil)
	e.admin("POST", "/v1/api-keys", `{"name": "`+secret+`", "key": `)
	e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": secret, "unknown": secret}, code())

	// Scheduled rotation: the webhook fails once (WARN), then takes the new key.
	e.clock.Advance(25 * time.Hour)
	if n, err := e.svc.RotateDueKeys(context.Background()); n != 1 || err != nil {
		t.Fatalf("RotateDueKeys = %d, %v", n, err)
	}
	mu.Lock()
	secrets = append(secrets, delivered...)
	mu.Unlock()

	// WARN: the replay record cannot be stored; the create itself succeeds.
	faulty.failRecords.Store(true)
	collect(e.admin("POST", "/v1/api-keys", map[string]any{"project_id": pid, "name": "b"}, withHeader("Idempotency-Key", "idem-b"), code()))
	faulty.failRecords.Store(false)
	// ERROR: the store fails under a verification and a read.
	faulty.failReads.Store(true)
	expectStatus(t, e.verify(secret), http.StatusInternalServerError)
	expectStatus(t, e.admin("GET", "/v1/api-keys/"+id, nil), http.StatusInternalServerError)
	faulty.failReads.Store(false)
	return secrets
}

// secretValues returns the values of every member of a JSON document whose name says it holds
// a secret: key, *secret*, *token*, otpauth_uri.
func secretValues(raw []byte) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for name, member := range v {
				n := strings.ToLower(name)
				if s, ok := member.(string); ok && s != "" &&
					(n == "key" || strings.Contains(n, "secret") || strings.Contains(n, "token") || n == "otpauth_uri") {
					out = append(out, s)
				}
				walk(member)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
