package output

// Deleted is what the delete commands print as JSON or YAML: {"deleted": "<id>"}.
type Deleted struct {
	ID string `json:"deleted"`
}
