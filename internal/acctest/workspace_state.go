package acctest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WorkspaceState is a workspace's terraform.tfstate (local backend), read as written.
type WorkspaceState struct {
	Resources []struct {
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// State reads the workspace's state file.
func (w *Workspace) State(t testing.TB) *WorkspaceState {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st WorkspaceState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state: %v", err)
	}
	return &st
}

// StateID is the id attribute of a managed resource ("type.name") in the workspace's state.
func (w *Workspace) StateID(t testing.TB, addr string) string {
	t.Helper()
	return w.State(t).Attr(t, addr, "id")
}

// Attr returns a managed resource's attribute as a string ("" for null).
func (st *WorkspaceState) Attr(t testing.TB, addr, name string) string {
	t.Helper()
	v := st.attributes(t, addr)[name]
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// attributes are the attributes of the one instance of a managed resource ("type.name").
func (st *WorkspaceState) attributes(t testing.TB, addr string) map[string]any {
	t.Helper()
	typ, name, _ := strings.Cut(addr, ".")
	for _, r := range st.Resources {
		if r.Mode == "managed" && r.Type == typ && r.Name == name && len(r.Instances) == 1 {
			return r.Instances[0].Attributes
		}
	}
	t.Fatalf("%s is not in the state", addr)
	return nil
}
