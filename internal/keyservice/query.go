package keyservice

import (
	"net/url"
	"strconv"
)

// queryPageSize reads page_size; absent is 0 (the domain default), while an
// explicit value must be a valid size.
func queryPageSize(q url.Values) (int, error) {
	if !q.Has("page_size") {
		return 0, nil
	}
	n, err := strconv.Atoi(q.Get("page_size"))
	if err != nil || n < 1 || n > maxPageSize {
		return 0, invalid("page_size", "must be an integer between 1 and %d", maxPageSize)
	}
	return n, nil
}
