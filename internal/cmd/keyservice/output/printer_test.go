package output

import (
	"bytes"
	"testing"
)

// YAML is the JSON document, members in the same order; strings that YAML would read as
// something else stay strings.
func TestPrinterYAML(t *testing.T) {
	v := struct {
		ID     string   `json:"id"`
		Active bool     `json:"active"`
		Name   string   `json:"name"`
		Num    string   `json:"num"`
		Empty  string   `json:"empty"`
		Null   *string  `json:"unset"`
		List   []string `json:"list"`
		None   []string `json:"none"`
		Colon  string   `json:"colon"`
	}{ID: "key_1", Active: true, Name: "true", Num: "123", List: []string{"a", "null"}, None: []string{}, Colon: "a: b"}
	var b bytes.Buffer
	if err := (&Printer{Out: &b, Format: FormatYAML}).Print(v, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := `id: key_1
active: true
name: "true"
num: "123"
empty: ""
unset: null
list:
  - a
  - "null"
none: []
colon: 'a: b'
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrinterQuietAndTable(t *testing.T) {
	var b bytes.Buffer
	p := &Printer{Out: &b, Format: FormatTable, Quiet: true}
	if err := p.Print(nil, []string{"key_1", "key_2"}, func(*Table) { t.Error("table printed with --quiet") }); err != nil {
		t.Fatal(err)
	}
	if b.String() != "key_1\nkey_2\n" {
		t.Errorf("quiet: %q", b.String())
	}
	b.Reset()
	p.Quiet = false
	if err := p.Print(nil, nil, func(t *Table) {
		t.Row("ID", "NAME")
		t.Row("key_1", "a\tname\nwith breaks")
	}); err != nil {
		t.Fatal(err)
	}
	if want := "ID     NAME\nkey_1  a name with breaks\n"; b.String() != want {
		t.Errorf("table: %q, want %q", b.String(), want)
	}
}
