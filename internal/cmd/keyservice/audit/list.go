package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/cmdutil"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/iostreams"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/output"
	"github.com/keyservice/terraform-provider-keyservice/internal/cmd/keyservice/resolve"
)

// ListOptions are the inputs of audit ls.
type ListOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*client.Client, error)
	Resolver func() (*resolve.Resolver, error)
	Printer  func() (*output.Printer, error)
	Now      func() time.Time

	Actor      string // admin, system, leak_report, anonymous, or a key (id or name)
	Action     string
	Key        string // a key (id or name) the events are about
	TargetID   string
	TargetType string
	Since      cmdutil.Duration
	Page       cmdutil.Page
}

// actorTypes are the actors that are no key.
var actorTypes = []string{"admin", "system", "leak_report", "anonymous"}

// NewCmdList is audit ls.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Client: f.Client, Resolver: f.Resolver, Printer: f.Printer, Now: time.Now}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the project's audit events, newest first",
		Long: `List the project's audit events, newest first.

--actor is admin, system (the server's own jobs: scheduled rotation, key expiry), leak_report,
anonymous (refused requests without a usable credential), or a key by name or id. --key shows
the events about one key (by name, or by id for a revoked one); --target-id and --target-type
about any object. --action takes an action such as api_key.revoke or auth.refused. --since 24h
shows the last day. --offset and --limit page through the result.`,
		Example: `  keyservice audit ls
  keyservice audit ls --key ci-deployer
  keyservice audit ls --action api_key.revoke --since 7d
  keyservice audit ls --actor ops-robot -f json
  keyservice audit ls --action auth.refused --limit 20`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.Page.Check(); err != nil {
				return err
			}
			if opts.Key != "" && opts.TargetID != "" {
				return cmdutil.UsageErrorf("--key and --target-id both name the target: pass one")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Actor, "actor", "", "only events by this actor: "+strings.Join(actorTypes, ", ")+", or a key (name or id)")
	fs.StringVar(&opts.Action, "action", "", "only events of this action, such as api_key.revoke")
	fs.StringVar(&opts.Key, "key", "", "only events about this key (name or id)")
	fs.StringVar(&opts.TargetID, "target-id", "", "only events about the object with this id")
	fs.StringVar(&opts.TargetType, "target-type", "", "only events about objects of this type: project, service_account, environment, api_key, request")
	fs.Var(&opts.Since, "since", "only events of this last span of time, such as 24h or 7d")
	opts.Page.Register(fs)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	res, err := opts.Resolver()
	if err != nil {
		return err
	}
	c, err := opts.Client()
	if err != nil {
		return err
	}
	proj, err := res.Project(ctx)
	if err != nil {
		return err
	}
	q := client.ListAuditEventsOptions{ProjectID: proj.ID, Action: opts.Action, TargetID: opts.TargetID, TargetType: opts.TargetType}
	if opts.Actor != "" {
		q.Actor = opts.Actor
		if !slices.Contains(actorTypes, opts.Actor) {
			k, err := res.APIKey(ctx, opts.Actor)
			if err != nil {
				return err
			}
			q.Actor = k.ID
		}
	}
	if opts.Key != "" {
		k, err := res.APIKey(ctx, opts.Key)
		if err != nil {
			return err
		}
		q.TargetID = k.ID
	}
	if opts.Since.IsSet() {
		since := opts.Now().Add(-opts.Since.D)
		q.Since = &since
	}
	events, err := cmdutil.ReadPages(ctx, opts.Page, nil, func(ctx context.Context, size int, token string) ([]client.AuditEvent, string, error) {
		o := q
		o.PageSize, o.PageToken = size, token
		p, err := c.ListAuditEvents(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextPageToken, nil
	})
	if err != nil {
		return fmt.Errorf("listing the audit events of project %s: %w", proj.Name, err)
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return printer.Print(events, ids, func(t *output.Table) {
		t.Row("TIME", "ACTOR", "ACTION", "TARGET", "CHANGES", "FROM")
		for _, e := range events {
			t.Row(output.Time(&e.OccurredAt), actor(e.Actor), action(e), target(e.Target), changes(e.Changes), from(e))
		}
	})
}

func actor(a client.AuditActor) string {
	switch {
	case a.Name != nil && a.ID != nil:
		return *a.Name + " (" + *a.ID + ")"
	case a.ID != nil:
		return a.Type + ":" + *a.ID
	}
	return a.Type
}

// action is the action, with the status of a refusal.
func action(e client.AuditEvent) string {
	if e.Status != nil {
		return fmt.Sprintf("%s %d", e.Action, *e.Status)
	}
	return e.Action
}

func target(t client.AuditTarget) string {
	switch {
	case t.Name != nil && t.ID != nil:
		return *t.Name + " (" + *t.ID + ")"
	case t.ID != nil:
		return *t.ID
	case t.Name != nil:
		return *t.Name
	}
	return "-"
}

// changes is one line: "field: old → new" or "scopes: +a -b", by field name.
func changes(m map[string]client.FieldChange) string {
	if len(m) == 0 {
		return "-"
	}
	fields := make([]string, 0, len(m))
	for f := range m {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		c := m[f]
		if c.IsSet {
			var s []string
			for _, v := range c.Added {
				s = append(s, "+"+v)
			}
			for _, v := range c.Removed {
				s = append(s, "-"+v)
			}
			parts = append(parts, f+": "+strings.Join(s, " "))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s → %s", f, value(c.Old), value(c.New)))
	}
	return strings.Join(parts, "; ")
}

// value shows a changed value in a table cell: a string without its quotes, null as "-", a
// control character (a description may hold one) as "?", and at most 60 characters.
func value(raw json.RawMessage) string {
	s := string(raw)
	if s == "" || s == "null" {
		return "-"
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		s = str
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxValueRunes {
		s = string(r[:maxValueRunes]) + "…"
	}
	return output.Text(&s)
}

// maxValueRunes bounds a changed value in the table; -f json shows it whole.
const maxValueRunes = 60

func from(e client.AuditEvent) string {
	if e.ClientAddress == nil {
		return "-"
	}
	return *e.ClientAddress
}
