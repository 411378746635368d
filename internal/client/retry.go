package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// checkRetry decides whether an attempt is retried: connection errors (as
// retryablehttp judges them: not TLS, scheme or redirect errors), 429, and
// every 5xx except 501. Nothing is retried once the caller's ctx is done.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	var retry bool
	var reason string
	if err != nil {
		retry, _ = retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		reason = err.Error()
	} else {
		retry = retryableStatus(resp.StatusCode)
		reason = fmt.Sprintf("HTTP %d", resp.StatusCode)
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			reason += ", Retry-After " + ra
		}
	}
	if !retry {
		return false, nil
	}
	st := callStateFrom(ctx)
	if err != nil || resp.StatusCode >= http.StatusInternalServerError {
		st.uncertain = true
	}
	if left := c.maxRetries - st.attempts + 1; left > 0 {
		c.log(ctx, LevelWarn, "keyservice request failed, retrying", map[string]any{
			"method": st.method, "url": st.url, "attempt": st.attempts, "retries_left": left, "reason": reason,
		})
	}
	return true, nil
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests ||
		(status >= 500 && status != http.StatusNotImplemented)
}

// backoff waits what a 429 or 503 asks for in Retry-After (capped at max),
// else min doubled per attempt, capped at max, with jitter so that many
// clients failed by one outage do not return in lockstep.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(max(wait, minWait), maxWait)
		}
	}
	wait := maxWait
	if attempt < 32 {
		if exp := minWait << attempt; exp > 0 && exp < maxWait {
			wait = exp
		}
	}
	half := wait / 2
	wait = half + rand.N(half+1)
	return max(wait, minWait)
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}
