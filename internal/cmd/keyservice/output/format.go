// Package output prints what a command returns: a table for people, or JSON or YAML for
// scripts, or only ids with --quiet.
//
// JSON and YAML are stable: an object is printed with the field names and values of the key
// service's HTTP API v1 (its OpenAPI document), a list as an array of such objects. YAML is the
// same document as the JSON, key for key, in the same order. Tables are for people and may
// change.
package output

import (
	"fmt"
	"strings"
)

// Format is an output format.
type Format string

const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatTable, FormatJSON, FormatYAML:
		return f, nil
	}
	return "", fmt.Errorf("--format %q: want table, json or yaml", s)
}
