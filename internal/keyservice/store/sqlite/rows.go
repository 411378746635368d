package sqlite

import "database/sql"

// collect scans every row of a query's result with scan, as postgres.collect does for pgx: the
// error of the query itself, of any row, or of the iteration is returned as is. The slice is
// never nil.
func collect[T any](rows *sql.Rows, err error, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
