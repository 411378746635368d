package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// Printer writes a command's result in the format asked for.
type Printer struct {
	Out    io.Writer
	Format Format
	Quiet  bool
}

// Print writes v as JSON or YAML, or with --quiet the lines of quiet (ids, or a secret), or else
// the table that table fills.
func (p *Printer) Print(v any, quiet []string, table func(t *Table)) error {
	switch {
	case p.Format == FormatJSON:
		return p.json(v)
	case p.Format == FormatYAML:
		return p.yaml(v)
	case p.Quiet:
		for _, line := range quiet {
			if _, err := fmt.Fprintln(p.Out, line); err != nil {
				return err
			}
		}
		return nil
	}
	t := NewTable(p.Out)
	table(t)
	return t.Flush()
}

func (p *Printer) json(v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	_, err = p.Out.Write(append(b, '\n'))
	return err
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the output as JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// yaml writes the JSON document as YAML: decoded into a node tree (JSON is YAML), which keeps
// the members in their JSON order, then written in block style.
func (p *Printer) yaml(v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("converting the output to YAML: %w", err)
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(p.Out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("writing the output as YAML: %w", err)
	}
	return enc.Close()
}

// blockStyle drops the flow and quoting styles the JSON syntax gave every node; the encoder
// quotes again only the strings that need it ("true", "123").
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
