package client

import "net/http"

// maxIdleConnsPerHost is how many idle connections to the key service stay open for reuse.
// Terraform calls the provider for up to -parallelism resources at once (10 by default, often
// 50 on large workspaces), all against one host; net/http keeps only 2 (cleanhttp
// GOMAXPROCS+1), so every request past that opened a new connection and closed it again.
const maxIdleConnsPerHost = 128

// keepAlive returns rt with room for maxIdleConnsPerHost idle connections, when it is an
// *http.Transport (a copy: a caller's transport is left as it was). Any other RoundTripper is
// returned as it is.
func keepAlive(rt http.RoundTripper) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok || t.MaxIdleConnsPerHost >= maxIdleConnsPerHost {
		return rt
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
	return t
}
