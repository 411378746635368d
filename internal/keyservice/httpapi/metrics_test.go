package httpapi_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/httpapi"
)

func TestMetricsNeedTheAdminToken(t *testing.T) {
	e := newTestEnv(t)
	expectStatus(t, e.do("GET", "/metrics", "", nil), http.StatusUnauthorized)

	projectID := e.createProject("metrics-auth")
	_, managementKey := e.createKey(projectID, "manager", map[string]any{"scopes": []string{keyservice.ScopeAdmin}})
	expectStatus(t, e.do("GET", "/metrics", managementKey, nil), http.StatusForbidden)

	r := e.admin("GET", "/metrics", nil)
	expectStatus(t, r, http.StatusOK)
	// Prometheus' text exposition format, as promhttp negotiates it for a scraper that asks for nothing else.
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q, want the text format 0.0.4", ct)
	}
}

// TestMetricsCountByRoutePattern checks that series are labelled with the route pattern, never
// the raw path (ids would make one series per key), and that what no route took counts as
// unmatched with a bounded set of methods.
func TestMetricsCountByRoutePattern(t *testing.T) {
	e := newTestEnv(t)
	expectStatus(t, e.admin("GET", "/v1/api-keys/key_one", nil), http.StatusNotFound)
	expectStatus(t, e.admin("GET", "/v1/api-keys/key_two", nil), http.StatusNotFound)
	expectStatus(t, e.admin("HEAD", "/healthz", nil), http.StatusOK)
	expectStatus(t, e.do("GET", "/no/such/route", "", nil), http.StatusNotFound)
	expectStatus(t, e.do("BREW", "/no/such/route", "", nil), http.StatusNotFound)

	text := string(e.admin("GET", "/metrics", nil).raw)
	for _, want := range []string{
		`keyservice_http_requests_total{method="GET",route="/v1/api-keys/{id}",status="404"} 2`,
		`keyservice_http_requests_total{method="HEAD",route="/healthz",status="200"} 1`,
		`keyservice_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`keyservice_http_requests_total{method="OTHER",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %s\n%s", want, text)
		}
	}
	if strings.Contains(text, "key_one") || strings.Contains(text, "BREW") {
		t.Errorf("metrics hold a raw path or method:\n%s", text)
	}

	// The scrape itself counts once it has been answered.
	var got uint64
	for _, c := range e.api.RequestCounts() {
		if c.Method == "GET" && c.Route == "/metrics" && c.Status == http.StatusOK {
			got = c.Count
		}
	}
	if got != 1 {
		t.Errorf("RequestCounts has GET /metrics 200 = %d, want 1", got)
	}
}

func TestMetricsVerifyHistogram(t *testing.T) {
	e := newTestEnv(t)
	projectID := e.createProject("metrics-verify")
	_, secret := e.createKey(projectID, "k", nil)
	expectStatus(t, e.verify(secret), http.StatusOK)
	expectStatus(t, e.verify(secret), http.StatusOK)
	expectStatus(t, e.verify("ks_not-a-key"), http.StatusUnauthorized)

	text := string(e.admin("GET", "/metrics", nil).raw)
	if !strings.Contains(text, "# TYPE keyservice_verify_duration_seconds histogram\n") {
		t.Fatalf("no histogram TYPE line:\n%s", text)
	}
	bucket := regexp.MustCompile(`(?m)^keyservice_verify_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$`)
	var last uint64
	var les []string
	for _, m := range bucket.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.ParseUint(m[2], 10, 64)
		if n < last {
			t.Errorf("bucket le=%s = %d is below the previous %d: buckets must be cumulative", m[1], n, last)
		}
		last = n
		les = append(les, m[1])
	}
	if len(les) != len(httpapi.VerifyBuckets)+1 || les[len(les)-1] != "+Inf" {
		t.Fatalf("buckets %v, want %d ending in +Inf", les, len(httpapi.VerifyBuckets)+1)
	}
	if last != 3 {
		t.Errorf("+Inf bucket = %d, want 3", last)
	}
	for _, want := range []string{"keyservice_verify_duration_seconds_count 3\n", "keyservice_verify_duration_seconds_sum "} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, `keyservice_http_requests_total{method="POST",route="/v1/verify",status="401"} 1`) {
		t.Errorf("the refused verification is not counted:\n%s", text)
	}
}
