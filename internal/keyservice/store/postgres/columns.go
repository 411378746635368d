package postgres

import "time"

// Times are timestamptz, which keeps microseconds. Truncating before the
// write (rather than letting the server round) makes a value read back equal
// the value written, as the SQLite store does.

func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func nullTS(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

// utc converts a scanned time (pgx returns local time) to UTC.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

func nonNil(scopes []string) []string {
	if scopes == nil {
		return []string{}
	}
	return scopes
}
