package store

import "unicode/utf8"

// PrefixUpperBound is the least string above every string that starts with prefix, in
// bytewise (code point) order, so that "name >= prefix AND name < bound" is a range an index on
// name answers and holds exactly the names starting with prefix. The last rune is replaced by
// the next one (a prefix whose runes are all utf8.MaxRune has no bound: ok is false).
func PrefixUpperBound(prefix string) (bound string, ok bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		if r == utf8.RuneError && size == 1 {
			continue // not valid UTF-8: drop the byte, and the bound is looser but still right
		}
		next := r + 1
		if next == 0xD800 { // surrogates are not runes
			next = 0xE000
		}
		if next <= utf8.MaxRune {
			return prefix + string(next), true
		}
	}
	return "", false
}
