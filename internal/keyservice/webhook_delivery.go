package keyservice

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

const (
	defaultWebhookAttempts = 5
	defaultWebhookBackoff  = time.Second
	maxWebhookBackoff      = time.Minute
	webhookEventRotated    = "api_key.rotated"
)

// WebhookTransport sends one webhook request and says how the receiver answered: nil for a
// 2xx, an error otherwise, with the wait the receiver asked for before a retry (its
// Retry-After) when it gave one. It must not follow redirects: a body may hold a secret meant
// for the configured URL only. internal/keyservice/webhook implements it over HTTP.
type WebhookTransport interface {
	Send(ctx context.Context, req WebhookRequest) (retryAfter time.Duration, err error)
}

// WebhookRequest is one signed webhook POST. Body may hold a key secret: it lives in memory
// for the delivery only and is never logged.
type WebhookRequest struct {
	URL   string
	Event string // "api_key.rotated"
	// EventID names a lifecycle event (X-Keyservice-Event-Id), the same on every attempt, for
	// receivers to de-duplicate; empty for a rotated key's delivery.
	EventID string
	// Timestamp (Unix seconds) and Signature go in the X-Keyservice-Timestamp and
	// X-Keyservice-Signature headers; see signWebhook.
	Timestamp int64
	Signature string
	Body      []byte
}

// WebhookConfig tunes how rotated keys are delivered to rotation_webhook_url. Zero values take
// the defaults.
type WebhookConfig struct {
	// Transport sends the requests; nil delivers nothing (every delivery fails).
	Transport WebhookTransport
	// Attempts bounds the POSTs of one rotated key, the first included; default 5.
	Attempts int
	// Backoff is the wait before the first retry, doubling after each failed attempt up to
	// one minute (a longer Retry-After is honoured up to that bound too); default 1s.
	Backoff time.Duration
	// Wait waits d between attempts, or until ctx ends; nil waits on a timer. Tests record
	// the backoff with it.
	Wait func(ctx context.Context, d time.Duration) error
}

// webhookSender delivers signed webhook requests with bounded retries.
type webhookSender struct {
	transport WebhookTransport
	attempts  int
	backoff   time.Duration
	wait      func(ctx context.Context, d time.Duration) error
	log       *slog.Logger
	observer  Observer
}

func newWebhookSender(cfg WebhookConfig, log *slog.Logger, observer Observer) webhookSender {
	w := webhookSender{transport: cfg.Transport, attempts: cfg.Attempts, backoff: cfg.Backoff, wait: cfg.Wait, log: log, observer: observer}
	if w.transport == nil {
		w.transport = noTransport{}
	}
	if w.attempts <= 0 {
		w.attempts = defaultWebhookAttempts
	}
	if w.backoff <= 0 {
		w.backoff = defaultWebhookBackoff
	}
	if w.wait == nil {
		w.wait = sleepContext
	}
	return w
}

type noTransport struct{}

func (noTransport) Send(context.Context, WebhookRequest) (time.Duration, error) {
	return 0, fmt.Errorf("no webhook transport configured")
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// webhookDelivery is one event to send. body holds a key secret: it lives in memory for the
// delivery only and is never logged.
type webhookDelivery struct {
	url           string
	signingSecret string
	body          []byte
	keyID         string
	projectID     string
	// rotation is what was delivered, for the api_key.rotation_failed event of a delivery
	// that gives up.
	rotation Rotation
}

// rotatedKeyEvent is the body of an api_key.rotated delivery.
type rotatedKeyEvent struct {
	Event                     string  `json:"event"`
	KeyID                     string  `json:"key_id"`
	PreviousKeyID             string  `json:"previous_key_id"`
	Key                       string  `json:"key"`
	KeyPrefix                 string  `json:"key_prefix"`
	Name                      string  `json:"name"`
	ProjectID                 string  `json:"project_id"`
	ServiceAccountID          *string `json:"service_account_id"`
	EnvironmentID             *string `json:"environment_id"`
	RotatedAt                 string  `json:"rotated_at"`
	PreviousKeyGraceExpiresAt *string `json:"previous_key_grace_expires_at"`
	NextRotationAt            *string `json:"next_rotation_at"`
}

func newRotatedKeyDelivery(rot Rotation, webhookURL, signingSecret string) (*webhookDelivery, error) {
	next := rot.Next
	body, err := json.Marshal(rotatedKeyEvent{
		Event:                     webhookEventRotated,
		KeyID:                     next.ID,
		PreviousKeyID:             rot.Previous.ID,
		Key:                       next.Secret,
		KeyPrefix:                 next.KeyPrefix,
		Name:                      next.Name,
		ProjectID:                 next.ProjectID,
		ServiceAccountID:          next.ServiceAccountID,
		EnvironmentID:             next.EnvironmentID,
		RotatedAt:                 FormatTime(next.CreatedAt),
		PreviousKeyGraceExpiresAt: FormatTimePtr(rot.Previous.GraceExpiresAt),
		NextRotationAt:            FormatTimePtr(next.NextRotationAt),
	})
	if err != nil {
		return nil, fmt.Errorf("encode webhook event: %w", err)
	}
	return &webhookDelivery{url: webhookURL, signingSecret: signingSecret, body: body, keyID: next.ID, projectID: next.ProjectID, rotation: rot}, nil
}

// deliver sends d until a receiver answers 2xx, at most w.attempts times, waiting w.backoff,
// then twice as long each time, between attempts. Each attempt is signed afresh with the time
// it is sent, so a receiver may reject stale timestamps.
func (w webhookSender) deliver(ctx context.Context, now func() time.Time, d webhookDelivery) error {
	attrs := []slog.Attr{slog.String("key_id", d.keyID), slog.String("project_id", d.projectID), slog.String("webhook_host", webhookHost(d.url))}
	delay := w.backoff
	var err error
	attempt := 0
	for attempt < w.attempts {
		if attempt > 0 {
			if serr := w.wait(ctx, delay); serr != nil {
				err = fmt.Errorf("%w (last attempt: %w)", serr, err)
				break
			}
			delay = min(2*delay, maxWebhookBackoff)
		}
		attempt++
		ts := now().Unix()
		var retryAfter time.Duration
		retryAfter, err = w.transport.Send(ctx, WebhookRequest{
			URL: d.url, Event: webhookEventRotated, Timestamp: ts,
			Signature: signWebhook(d.signingSecret, ts, d.body), Body: d.body,
		})
		if err == nil {
			w.log.LogAttrs(ctx, slog.LevelInfo, "webhook delivered", append(attrs, slog.Int("attempt", attempt))...)
			w.observer.WebhookDelivery(DeliveryDelivered)
			return nil
		}
		w.log.LogAttrs(ctx, slog.LevelWarn, "webhook attempt failed", append(attrs, slog.Int("attempt", attempt), slog.String("error", err.Error()))...)
		if retryAfter > delay {
			delay = min(retryAfter, maxWebhookBackoff)
		}
	}
	w.log.LogAttrs(ctx, slog.LevelError, "webhook delivery failed: the rotated key's secret is lost; rotate the key again",
		append(attrs, slog.Int("attempts", attempt), slog.String("error", err.Error()))...)
	w.observer.WebhookDelivery(DeliveryFailed)
	return fmt.Errorf("webhook for key %s of project %s: gave up after %d attempt(s): %w", d.keyID, d.projectID, attempt, err)
}

// webhookHost names the receiver in logs without its path or query.
func webhookHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
