// Command openapi-markdown renders the key service's OpenAPI document as a registry guide
// (docs/guides/http-api.md), so the docs show the same contract the server is tested against.
//
//	go -C .ci/tools run ./openapi-markdown internal/keyservice/httpapi/openapi.json > docs/guides/http-api.md
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: openapi-markdown OPENAPI.json > guide.md")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var doc node
	if err := json.Unmarshal(raw, &doc); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-markdown:", err)
		os.Exit(1)
	}
	var out bytes.Buffer
	render(&out, &doc)
	if _, err := os.Stdout.Write(out.Bytes()); err != nil {
		os.Exit(1)
	}
}

// node is a JSON value that remembers the order of object members, so the page follows the
// document's order rather than Go's map order.
type node struct {
	keys   []string
	fields map[string]*node
	items  []*node
	scalar any
}

func (n *node) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return n.decode(dec)
}

func (n *node) decode(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		n.fields = map[string]*node{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			child := &node{}
			if err := child.decode(dec); err != nil {
				return err
			}
			key := k.(string)
			n.keys = append(n.keys, key)
			n.fields[key] = child
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		n.items = []*node{}
		for dec.More() {
			child := &node{}
			if err := child.decode(dec); err != nil {
				return err
			}
			n.items = append(n.items, child)
		}
		_, err = dec.Token()
		return err
	}
	n.scalar = tok
	return nil
}

func (n *node) get(path ...string) *node {
	cur := n
	for _, p := range path {
		if cur == nil || cur.fields == nil {
			return nil
		}
		cur = cur.fields[p]
	}
	return cur
}

func (n *node) str(path ...string) string {
	v := n.get(path...)
	if v == nil || v.scalar == nil {
		return ""
	}
	return fmt.Sprint(v.scalar)
}

// resolve follows a local $ref.
func (n *node) resolve(doc *node) *node {
	for n != nil && n.get("$ref") != nil {
		ref := strings.TrimPrefix(n.str("$ref"), "#/")
		n = doc.get(strings.Split(ref, "/")...)
	}
	return n
}

func refName(n *node) string {
	if n == nil || n.get("$ref") == nil {
		return ""
	}
	ref := n.str("$ref")
	return ref[strings.LastIndex(ref, "/")+1:]
}

// typeOf describes a schema in a few words: `string` (date-time), array of `Project`, …
func typeOf(s *node) string {
	if s == nil {
		return ""
	}
	if name := refName(s); name != "" {
		return "[" + name + "](#schema-" + strings.ToLower(name) + ")"
	}
	if all := s.get("allOf"); all != nil {
		var parts []string
		for _, it := range all.items {
			parts = append(parts, typeOf(it))
		}
		return strings.Join(parts, " + ")
	}
	var types []string
	if t := s.get("type"); t != nil {
		if t.items != nil {
			for _, it := range t.items {
				types = append(types, fmt.Sprint(it.scalar))
			}
		} else {
			types = append(types, fmt.Sprint(t.scalar))
		}
	}
	for i, t := range types {
		switch {
		case t == "array":
			types[i] = "array of " + typeOf(s.get("items"))
		case t == "string" && s.str("format") != "":
			types[i] = "string (" + s.str("format") + ")"
		}
	}
	return strings.Join(types, " or ")
}

// constraints lists what a schema allows, for the description column.
func constraints(s *node) string {
	if s == nil {
		return ""
	}
	var c []string
	if e := s.get("enum"); e != nil {
		var vals []string
		for _, it := range e.items {
			vals = append(vals, "`"+fmt.Sprint(it.scalar)+"`")
		}
		c = append(c, "one of "+strings.Join(vals, ", "))
	}
	pairs := []struct{ key, label string }{
		{"minLength", "min length"}, {"maxLength", "max length"}, {"minimum", "min"}, {"maximum", "max"},
		{"minItems", "min items"}, {"maxItems", "max items"}, {"pattern", "pattern"}, {"default", "default"},
	}
	for _, p := range pairs {
		if v := s.get(p.key); v != nil && v.scalar != nil {
			val := fmt.Sprint(v.scalar)
			if str, ok := v.scalar.(string); ok && p.key == "default" {
				val = strconv.Quote(str)
			}
			c = append(c, p.label+" `"+val+"`")
		}
	}
	if items := s.get("items"); items != nil && items.get("pattern") != nil {
		c = append(c, "each matching `"+items.str("pattern")+"`")
	}
	if len(c) == 0 {
		return ""
	}
	out := strings.Join(c, "; ") + "."
	return strings.ToUpper(out[:1]) + out[1:]
}

func cell(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.ReplaceAll(strings.ReplaceAll(strings.Join(nonEmpty, " "), "|", `\|`), "\n", " ")
}

func anchor(method, path string) string {
	r := strings.NewReplacer("/", "-", "{", "", "}", "", " ", "-")
	return strings.Trim(strings.ToLower(method+r.Replace(path)), "-")
}

var methods = []string{"get", "post", "put", "patch", "delete", "head", "options", "trace"}

type operation struct {
	method, path string
	op           *node
	pathParams   *node
}

func render(w io.Writer, doc *node) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	title := doc.str("info", "title")

	p("---\n")
	p("page_title: %q\n", "Key service HTTP API")
	p("subcategory: \"\"\n")
	p("description: |-\n  The HTTP API of keyserviced: every route, its parameters, bodies, answers and errors.\n")
	p("---\n\n")
	p("<!-- Generated by .ci/generate-docs from internal/keyservice/httpapi/openapi.json; edit that file, then run make generate. -->\n\n")
	p("# Key service HTTP API\n\n")
	p("%s\n\n", doc.str("info", "description"))
	p("This page is rendered from the OpenAPI %s document [`keyservice-openapi.json`](../keyservice-openapi.json) (%s, version %s), "+
		"which a test holds equal to the routes the server really registers. Feed that file to a client generator or an API explorer.\n\n",
		doc.str("openapi"), title, doc.str("info", "version"))

	p("## Authentication\n\n")
	for _, name := range doc.get("components", "securitySchemes").keys {
		s := doc.get("components", "securitySchemes", name)
		p("`Authorization: Bearer <token>`, on every route but those marked *public* below: %s\n\n", s.str("description"))
	}

	p("## Errors\n\n")
	errSchema := doc.get("components", "schemas", "Error")
	p("%s\n\n```json\n", errSchema.str("description"))
	ex, _ := json.MarshalIndent(toAny(errSchema.get("example")), "", "  ")
	p("%s\n```\n\n", ex)
	p("| answer | when |\n|---|---|\n")
	// A shared response's status is the one the operations use it under.
	statuses := map[string]string{}
	for _, path := range doc.get("paths").keysOrNil() {
		for _, m := range methods {
			for status, r := range doc.get("paths", path, m, "responses").fieldsOrNil() {
				if name := refName(r); name != "" && statuses[name] == "" {
					statuses[name] = status
				}
			}
		}
	}
	responses := doc.get("components", "responses")
	names := append([]string(nil), responses.keys...)
	sort.SliceStable(names, func(i, j int) bool { return statuses[names[i]] < statuses[names[j]] })
	for _, name := range names {
		r := responses.get(name)
		extra := ""
		for _, h := range r.get("headers").keysOrNil() {
			extra += " Header `" + h + "`."
		}
		p("| %s | %s |\n", cell(statuses[name], "`"+name+"`"), cell(r.str("description"), extra))
	}
	p("\n")

	var ops []operation
	paths := doc.get("paths")
	for _, path := range paths.keys {
		item := paths.get(path)
		for _, m := range methods {
			if op := item.get(m); op != nil {
				ops = append(ops, operation{method: strings.ToUpper(m), path: path, op: op, pathParams: item.get("parameters")})
			}
		}
	}

	p("## Routes\n\n| route | does | needs |\n|---|---|---|\n")
	for _, o := range ops {
		p("| [`%s %s`](#%s) | %s | %s |\n", o.method, o.path, anchor(o.method, o.path), cell(o.op.str("summary")), access(o.op))
	}
	p("\n")

	sections := append(doc.get("tags").itemsOrNil(), &node{fields: map[string]*node{"name": {scalar: ""}}})
	for _, section := range sections {
		tag := section.str("name")
		var in []operation
		for _, o := range ops {
			if tagOf(doc, o.op) == tag {
				in = append(in, o)
			}
		}
		if len(in) == 0 {
			continue
		}
		p("## %s\n\n", tagTitle(tag))
		if d := section.str("description"); d != "" {
			p("%s\n\n", d)
		}
		for _, o := range in {
			renderOperation(w, doc, o)
		}
	}

	p("## Schemas\n\n")
	schemas := doc.get("components", "schemas")
	for _, name := range schemas.keys {
		s := schemas.get(name)
		p("<a id=\"schema-%s\"></a>\n### %s\n\n", strings.ToLower(name), name)
		if d := s.str("description"); d != "" {
			p("%s\n\n", d)
		}
		renderObject(w, doc, s)
	}
}

// access says who may call an operation, from its security requirement: public, the admin
// token, or the management scope an API key needs.
func access(op *node) string {
	sec := op.get("security")
	if sec != nil && len(sec.items) == 0 {
		return "public"
	}
	var roles []string
	for _, req := range sec.itemsOrNil() {
		for _, scheme := range req.keys {
			for _, role := range req.get(scheme).itemsOrNil() {
				switch r := fmt.Sprint(role.scalar); r {
				case "admin-token":
					roles = append(roles, "admin token")
				default:
					roles = append(roles, "`"+r+"`")
				}
			}
		}
	}
	if len(roles) == 0 {
		return "bearer token"
	}
	return strings.Join(roles, ", ")
}

// tagTitle makes a section heading of a tag: "service-accounts" is "Service accounts".
func tagTitle(tag string) string {
	switch tag {
	case "api-keys":
		return "API keys"
	case "verify":
		return "Verification"
	case "":
		return "Other"
	}
	t := strings.ReplaceAll(tag, "-", " ")
	return strings.ToUpper(t[:1]) + t[1:]
}

// tagOf is an operation's first tag, or "" for an operation with none of the document's tags.
func tagOf(doc, op *node) string {
	tags := op.get("tags").itemsOrNil()
	if len(tags) == 0 {
		return ""
	}
	tag := fmt.Sprint(tags[0].scalar)
	for _, t := range doc.get("tags").itemsOrNil() {
		if t.str("name") == tag {
			return tag
		}
	}
	return ""
}

func renderOperation(w io.Writer, doc *node, o operation) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("<a id=\"%s\"></a>\n### `%s %s`\n\n", anchor(o.method, o.path), o.method, o.path)
	p("**%s** (%s, operation `%s`).", o.op.str("summary"), access(o.op), o.op.str("operationId"))
	if d := o.op.str("description"); d != "" {
		p(" %s", d)
	}
	p("\n\n")

	var params []*node
	params = append(params, o.pathParams.itemsOrNil()...)
	params = append(params, o.op.get("parameters").itemsOrNil()...)
	if len(params) > 0 {
		p("| parameter | in | type | description |\n|---|---|---|---|\n")
		for _, prm := range params {
			prm = prm.resolve(doc)
			name := "`" + prm.str("name") + "`"
			if prm.str("required") == "true" {
				name += " (required)"
			}
			p("| %s | %s | %s | %s |\n", name, prm.str("in"), cell(typeOf(prm.get("schema"))),
				cell(prm.str("description"), constraints(prm.get("schema"))))
		}
		p("\n")
	}
	if body := o.op.get("requestBody"); body != nil {
		schema := body.get("content", "application/json", "schema")
		opt := ""
		if body.str("required") != "true" {
			opt = " (optional)"
		}
		p("Request body%s: %s.\n\n", opt, typeOf(schema))
	}
	p("| status | answer |\n|---|---|\n")
	responses := o.op.get("responses")
	statuses := append([]string(nil), responses.keys...)
	sort.Strings(statuses)
	for _, status := range statuses {
		r := responses.get(status)
		if name := refName(r); name != "" {
			p("| %s | [`%s`](#errors) |\n", status, name)
			continue
		}
		desc := r.str("description")
		schema := typeOf(r.get("content", "application/json", "schema"))
		if schema != "" {
			schema = "→ " + schema + "."
		}
		p("| %s | %s |\n", status, cell(desc, schema))
	}
	p("\n")
}

func renderObject(w io.Writer, doc *node, s *node) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	if all := s.get("allOf"); all != nil {
		var parts []string
		var own *node
		for _, it := range all.items {
			if refName(it) != "" {
				parts = append(parts, typeOf(it))
			} else {
				own = it
			}
		}
		p("Everything in %s, and:\n\n", strings.Join(parts, " and "))
		if own != nil {
			renderObject(w, doc, own)
		}
		return
	}
	props := s.get("properties")
	if props == nil {
		p("%s", cell(typeOf(s), constraints(s)))
		p("\n\n")
		return
	}
	required := map[string]bool{}
	for _, r := range s.get("required").itemsOrNil() {
		required[fmt.Sprint(r.scalar)] = true
	}
	p("| member | type | description |\n|---|---|---|\n")
	for _, name := range props.keys {
		prop := props.get(name)
		label := "`" + name + "`"
		if required[name] {
			label += " (required)"
		}
		desc := prop.str("description")
		if nested := prop.get("properties"); nested != nil {
			var members []string
			for _, k := range nested.keys {
				members = append(members, "`"+k+"`: "+cell(typeOf(nested.get(k)), nested.get(k).str("description"), constraints(nested.get(k))))
			}
			desc = cell(desc, "Members: "+strings.Join(members, "; ")+".")
		}
		p("| %s | %s | %s |\n", label, cell(typeOf(prop)), cell(desc, constraints(prop)))
	}
	p("\n")
}

func (n *node) keysOrNil() []string {
	if n == nil {
		return nil
	}
	return n.keys
}

func (n *node) fieldsOrNil() map[string]*node {
	if n == nil {
		return nil
	}
	return n.fields
}

func (n *node) itemsOrNil() []*node {
	if n == nil {
		return nil
	}
	return n.items
}

// toAny turns a node back into plain values (member order is lost, which json.Marshal sorts).
func toAny(n *node) any {
	switch {
	case n == nil:
		return nil
	case n.fields != nil:
		m := map[string]any{}
		for k, v := range n.fields {
			m[k] = toAny(v)
		}
		return m
	case n.items != nil:
		var out []any
		for _, it := range n.items {
			out = append(out, toAny(it))
		}
		return out
	}
	return n.scalar
}
