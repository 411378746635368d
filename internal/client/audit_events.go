package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	auditEventsPath = "/v1/audit-events"
	// maxPageSize is the largest page the server hands out.
	maxPageSize = 1000
)

// AuditEvent is one entry of the key service's audit trail: who did what to which object, from
// where. It never holds a secret.
type AuditEvent struct {
	ID         string      `json:"id"`
	OccurredAt time.Time   `json:"occurred_at"`
	ProjectID  *string     `json:"project_id"`
	Actor      AuditActor  `json:"actor"`
	Action     string      `json:"action"`
	Target     AuditTarget `json:"target"`
	// Changes maps each changed field to how it changed.
	Changes       map[string]FieldChange `json:"changes"`
	RequestID     *string                `json:"request_id"`
	ClientAddress *string                `json:"client_address"`
	Outcome       string                 `json:"outcome"` // success or refused
	Status        *int                   `json:"status"`  // the status of a refused request
}

// AuditActor is who acted: Type admin, api_key (ID and Name are the key's), system (ID names the
// job), leak_report or anonymous.
type AuditActor struct {
	Type string  `json:"type"`
	ID   *string `json:"id"`
	Name *string `json:"name"`
}

// AuditTarget is the object acted on; for a refused request, Type is "request" and Name its route.
type AuditTarget struct {
	Type string  `json:"type"`
	ID   *string `json:"id"`
	Name *string `json:"name"`
}

// FieldChange is how one field changed: Old and New as JSON values (null where unset), or, for
// a set such as scopes, Added and Removed (then IsSet is true).
type FieldChange struct {
	Old, New       json.RawMessage
	Added, Removed []string
	IsSet          bool
}

// UnmarshalJSON reads {"old": …, "new": …} or {"added": […], "removed": […]}.
func (c *FieldChange) UnmarshalJSON(b []byte) error {
	var raw struct {
		Old     json.RawMessage `json:"old"`
		New     json.RawMessage `json:"new"`
		Added   *[]string       `json:"added"`
		Removed *[]string       `json:"removed"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = FieldChange{Old: raw.Old, New: raw.New}
	if raw.Added != nil || raw.Removed != nil {
		c.IsSet, c.Old, c.New = true, nil, nil
		if raw.Added != nil {
			c.Added = *raw.Added
		}
		if raw.Removed != nil {
			c.Removed = *raw.Removed
		}
	}
	return nil
}

// MarshalJSON writes what UnmarshalJSON reads.
func (c FieldChange) MarshalJSON() ([]byte, error) {
	if c.IsSet {
		return json.Marshal(struct {
			Added   []string `json:"added"`
			Removed []string `json:"removed"`
		}{nonNilStrings(c.Added), nonNilStrings(c.Removed)})
	}
	null := json.RawMessage("null")
	before, after := c.Old, c.New
	if len(before) == 0 {
		before = null
	}
	if len(after) == 0 {
		after = null
	}
	return json.Marshal(struct {
		Old json.RawMessage `json:"old"`
		New json.RawMessage `json:"new"`
	}{before, after})
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ListAuditEventsOptions filters and pages the audit trail. ProjectID may be empty for the
// admin only (every event). Actor is "admin", "system", "leak_report", "anonymous" or a key id.
type ListAuditEventsOptions struct {
	ProjectID  string
	Actor      string
	Action     string
	TargetID   string
	TargetType string
	Since      *time.Time
	Until      *time.Time
	PageSize   int
	PageToken  string
}

func (o ListAuditEventsOptions) query() url.Values {
	q := url.Values{}
	for name, v := range map[string]string{
		"project_id": o.ProjectID, "actor": o.Actor, "action": o.Action, "target_id": o.TargetID,
		"target_type": o.TargetType, "page_token": o.PageToken,
	} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if o.Since != nil {
		q.Set("since", o.Since.UTC().Format(time.RFC3339Nano))
	}
	if o.Until != nil {
		q.Set("until", o.Until.UTC().Format(time.RFC3339Nano))
	}
	if o.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(o.PageSize))
	}
	return q
}

// AuditEventList is one page of audit events, newest first.
type AuditEventList struct {
	Items         []AuditEvent `json:"items"`
	NextPageToken string       `json:"next_page_token"`
}

// ListAuditEvents returns one page of audit events, newest first.
func (c *Client) ListAuditEvents(ctx context.Context, opts ListAuditEventsOptions) (*AuditEventList, error) {
	var list AuditEventList
	if err := c.do(ctx, call{method: http.MethodGet, path: auditEventsPath, query: opts.query(), out: &list}); err != nil {
		return nil, err
	}
	return &list, nil
}

// ListAuditEventsUpTo walks the pages from opts.PageToken on, newest first, and stops after
// limit events (0: every event). more reports that the server holds further events.
func (c *Client) ListAuditEventsUpTo(ctx context.Context, opts ListAuditEventsOptions, limit int) (events []AuditEvent, more bool, err error) {
	seen := map[string]bool{}
	for {
		o := opts
		if limit > 0 {
			if remaining := limit - len(events); o.PageSize == 0 || o.PageSize > remaining {
				o.PageSize = min(remaining, maxPageSize)
			}
		}
		page, err := c.ListAuditEvents(ctx, o)
		if err != nil {
			return nil, false, err
		}
		events = append(events, page.Items...)
		switch {
		case page.NextPageToken == "":
			return events, false, nil
		case limit > 0 && len(events) >= limit:
			return events[:limit], true, nil
		case seen[page.NextPageToken]:
			// A server that hands out a token twice would loop us forever.
			return nil, false, fmt.Errorf("keyservice: GET %s: the server returned page token %q twice", auditEventsPath, page.NextPageToken)
		}
		seen[page.NextPageToken] = true
		opts.PageToken = page.NextPageToken
	}
}
