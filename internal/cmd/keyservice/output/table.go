package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Table writes aligned columns for people.
type Table struct {
	tw *tabwriter.Writer
}

func NewTable(w io.Writer) *Table {
	return &Table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
}

// Row writes one row; a cell never spans columns (tabs and line breaks become spaces).
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// Field writes one "label: value" line of a details view.
func (t *Table) Field(label, value string) {
	t.Row(label+":", value)
}

// Flush writes what is buffered.
func (t *Table) Flush() error { return t.tw.Flush() }

// Time shows a timestamp in UTC to the second, or "-".
func Time(ts *time.Time) string {
	if ts == nil || ts.IsZero() {
		return "-"
	}
	return ts.UTC().Format(time.RFC3339)
}

// Text shows "-" for an empty or missing value.
func Text(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

// List shows values comma-separated, or "-".
func List(values []string) string {
	if len(values) == 0 {
		return "-"
	}
	return strings.Join(values, ",")
}
