package httpapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// queryPageSize reads page_size; absent is 0 (the domain default), while an
// explicit value must be a valid size.
func queryPageSize(q url.Values) (int, error) {
	if !q.Has("page_size") {
		return 0, nil
	}
	n, err := strconv.Atoi(q.Get("page_size"))
	if err != nil || n < 1 || n > keyservice.MaxPageSize {
		return 0, keyservice.Invalid("page_size", "must be an integer between 1 and %d", keyservice.MaxPageSize)
	}
	return n, nil
}

// knownQueryParameters refuses a query that holds a parameter not in known, naming the first
// (in byte order) of them.
func knownQueryParameters(q url.Values, known ...string) error {
	var unknown []string
	for name := range q {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return keyservice.Invalid(unknown[0], "unknown query parameter; this route knows %s", strings.Join(known, ", "))
}
