package acctest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Requests is a snapshot of the server's request counters (keyservice_http_requests_total):
// answered requests by "METHOD /route/pattern STATUS", e.g. "GET /v1/api-keys/{id} 200".
type Requests map[string]uint64

// Requests snapshots the counters. A restart starts them again from zero.
func (s *Server) Requests() Requests {
	out := Requests{}
	for _, c := range s.ks.API.RequestCounts() {
		out[fmt.Sprintf("%s %s %d", c.Method, c.Route, c.Status)] = c.Count
	}
	return out
}

// Since returns what was counted after before was taken, leaving out series that did not move.
func (r Requests) Since(before Requests) Requests {
	out := Requests{}
	for k, n := range r {
		if d := n - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// String lists the series one a line, sorted, for test failure messages.
func (r Requests) String() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(r)) {
		fmt.Fprintf(&b, "  %-45s %d\n", k, r[k])
	}
	return b.String()
}
