// Package webhook sends the key service's webhook requests over HTTP: it implements
// keyservice.WebhookTransport.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

const (
	defaultTimeout = 10 * time.Second
	// maxResponseBytes is read from a receiver's answer and discarded.
	maxResponseBytes = 64 << 10

	// Headers of a webhook request.
	headerEvent     = "X-Keyservice-Event"
	headerEventID   = "X-Keyservice-Event-Id"
	headerTimestamp = "X-Keyservice-Timestamp"
	headerSignature = "X-Keyservice-Signature"
)

// Transport POSTs webhook requests. Redirects are never followed: the body holds a secret meant
// for the configured URL only.
type Transport struct {
	client *http.Client
}

var _ keyservice.WebhookTransport = (*Transport)(nil)

// New returns a transport on a copy of client (nil: a client with a 10 s timeout).
func New(client *http.Client) *Transport {
	c := &http.Client{Timeout: defaultTimeout}
	if client != nil {
		cp := *client
		c = &cp
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Transport{client: c}
}

// Send sends one attempt; on failure it returns the receiver's Retry-After, if any.
func (t *Transport) Send(ctx context.Context, r keyservice.WebhookRequest) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return 0, errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "keyserviced-webhook/1")
	req.Header.Set(headerEvent, r.Event)
	if r.EventID != "" {
		req.Header.Set(headerEventID, r.EventID)
	}
	req.Header.Set(headerTimestamp, strconv.FormatInt(r.Timestamp, 10))
	req.Header.Set(headerSignature, r.Signature)
	resp, err := t.client.Do(req)
	if err != nil {
		// *url.Error quotes the URL, whose path or query may hold a token: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			return 0, fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
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
