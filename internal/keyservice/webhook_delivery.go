package keyservice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	defaultWebhookAttempts = 5
	defaultWebhookBackoff  = time.Second
	defaultWebhookTimeout  = 10 * time.Second
	maxWebhookBackoff      = time.Minute
	webhookEventRotated    = "api_key.rotated"
	// maxWebhookResponseBytes is read from a receiver's answer and discarded.
	maxWebhookResponseBytes = 64 << 10
)

// WebhookConfig tunes how rotated keys are delivered to rotation_webhook_url.
// Zero values take the defaults.
type WebhookConfig struct {
	// Attempts bounds the POSTs of one rotated key, the first included;
	// default 5.
	Attempts int
	// Backoff is the wait before the first retry, doubling after each failed
	// attempt up to one minute (a longer Retry-After is honoured up to that
	// bound too); default 1s.
	Backoff time.Duration
	// Client sends the requests; nil means a client with a 10 s timeout.
	// Redirects are never followed: the body holds a secret meant for the
	// configured URL only.
	Client *http.Client
}

// webhookSender delivers signed webhook requests with bounded retries.
type webhookSender struct {
	attempts int
	backoff  time.Duration
	client   *http.Client
	log      *slog.Logger
	// sleep waits between attempts; tests replace it to record the backoff.
	sleep func(ctx context.Context, d time.Duration) error
}

func newWebhookSender(cfg WebhookConfig, log *slog.Logger) webhookSender {
	client := &http.Client{Timeout: defaultWebhookTimeout}
	if cfg.Client != nil {
		c := *cfg.Client
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w := webhookSender{attempts: cfg.Attempts, backoff: cfg.Backoff, client: client, log: log, sleep: sleepContext}
	if w.attempts <= 0 {
		w.attempts = defaultWebhookAttempts
	}
	if w.backoff <= 0 {
		w.backoff = defaultWebhookBackoff
	}
	return w
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

// webhookDelivery is one event to send. body holds a key secret: it lives in
// memory for the delivery only and is never logged.
type webhookDelivery struct {
	url           string
	signingSecret string
	body          []byte
	keyID         string
	projectID     string
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

func newRotatedKeyDelivery(rot rotation, webhookURL, signingSecret string) (*webhookDelivery, error) {
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
		RotatedAt:                 formatTime(next.CreatedAt),
		PreviousKeyGraceExpiresAt: formatTimePtr(rot.Previous.GraceExpiresAt),
		NextRotationAt:            formatTimePtr(next.NextRotationAt),
	})
	if err != nil {
		return nil, fmt.Errorf("encode webhook event: %w", err)
	}
	return &webhookDelivery{url: webhookURL, signingSecret: signingSecret, body: body, keyID: next.ID, projectID: next.ProjectID}, nil
}

// deliver POSTs d until a receiver answers 2xx, at most w.attempts times,
// waiting w.backoff, then twice as long each time, between attempts. Each
// attempt is signed afresh with the time it is sent, so a receiver may reject
// stale timestamps.
func (w webhookSender) deliver(ctx context.Context, now func() time.Time, d webhookDelivery) error {
	attrs := []slog.Attr{slog.String("key_id", d.keyID), slog.String("project_id", d.projectID), slog.String("webhook_host", webhookHost(d.url))}
	delay := w.backoff
	var err error
	attempt := 0
	for attempt < w.attempts {
		if attempt > 0 {
			if serr := w.sleep(ctx, delay); serr != nil {
				err = fmt.Errorf("%w (last attempt: %w)", serr, err)
				break
			}
			delay = min(2*delay, maxWebhookBackoff)
		}
		attempt++
		var retryAfter time.Duration
		retryAfter, err = w.post(ctx, now, d)
		if err == nil {
			w.log.LogAttrs(ctx, slog.LevelInfo, "webhook delivered", append(attrs, slog.Int("attempt", attempt))...)
			return nil
		}
		w.log.LogAttrs(ctx, slog.LevelWarn, "webhook attempt failed", append(attrs, slog.Int("attempt", attempt), slog.String("error", err.Error()))...)
		if retryAfter > delay {
			delay = min(retryAfter, maxWebhookBackoff)
		}
	}
	w.log.LogAttrs(ctx, slog.LevelError, "webhook delivery failed: the rotated key's secret is lost; rotate the key again",
		append(attrs, slog.Int("attempts", attempt), slog.String("error", err.Error()))...)
	return fmt.Errorf("webhook for key %s of project %s: gave up after %d attempt(s): %w", d.keyID, d.projectID, attempt, err)
}

// post sends one attempt; on failure it returns the receiver's Retry-After, if any.
func (w webhookSender) post(ctx context.Context, now func() time.Time, d webhookDelivery) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return 0, errors.New("invalid webhook URL")
	}
	ts := now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "keyserviced-webhook/1")
	req.Header.Set("X-Keyservice-Event", webhookEventRotated)
	req.Header.Set(webhookTimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(webhookSignatureHeader, signWebhook(d.signingSecret, ts, d.body))
	resp, err := w.client.Do(req)
	if err != nil {
		// *url.Error quotes the URL, whose path or query may hold a token: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			return 0, fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookResponseBytes))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return 0, nil
	}
	var retryAfter time.Duration
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		retryAfter = time.Duration(secs) * time.Second
	}
	return retryAfter, fmt.Errorf("receiver answered %d", resp.StatusCode)
}

// webhookHost names the receiver in logs without its path or query.
func webhookHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
