package keyservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// The audit trail: every change writes one event per object it changes, in the change's own
// transaction (store.Changes), saying who did it (the actor), what (the action), to which
// object (the target), which fields changed (old → new; scopes as added/removed), from where
// (request id and client address), and how it ended. Refused management requests are
// recorded too, with the status they got. No event ever holds a secret: no key, token, key
// hash, signing secret or one-time-code secret is ever one of its values, and a refused
// request is recorded without whatever credential it presented.

// AuditEvent is one entry of the audit trail.
type AuditEvent = store.AuditEvent

// Audit actions.
const (
	ActionProjectCreate              = "project.create"
	ActionProjectUpdate              = "project.update"
	ActionProjectDelete              = "project.delete"
	ActionProjectWebhookSecretRotate = "project.webhook_secret_rotate"
	ActionProjectOTPEnable           = "project.otp_enable"
	ActionProjectOTPDisable          = "project.otp_disable"
	ActionServiceAccountCreate       = "service_account.create"
	ActionServiceAccountUpdate       = "service_account.update"
	ActionServiceAccountDisable      = "service_account.disable"
	ActionServiceAccountEnable       = "service_account.enable"
	ActionServiceAccountDelete       = "service_account.delete"
	ActionEnvironmentCreate          = "environment.create"
	ActionEnvironmentUpdate          = "environment.update"
	ActionEnvironmentDelete          = "environment.delete"
	ActionAPIKeyCreate               = "api_key.create"
	ActionAPIKeyUpdate               = "api_key.update"
	ActionAPIKeyDisable              = "api_key.disable"
	ActionAPIKeyEnable               = "api_key.enable"
	ActionAPIKeyRotate               = "api_key.rotate"
	ActionAPIKeyScheduledRotate      = "api_key.scheduled_rotate"
	ActionAPIKeyRevoke               = "api_key.revoke"
	ActionAPIKeyExpire               = "api_key.expire"
	ActionAuthRefused                = "auth.refused"
)

// Actor types.
const (
	ActorAdmin      = "admin"
	ActorAPIKey     = "api_key"
	ActorSystem     = "system"
	ActorLeakReport = "leak_report"
	ActorAnonymous  = "anonymous"
)

// Target types.
const (
	TargetProject        = "project"
	TargetServiceAccount = "service_account"
	TargetEnvironment    = "environment"
	TargetAPIKey         = "api_key"
	TargetRequest        = "request"
)

// Outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeRefused = "refused"
)

const (
	auditEventIDPrefix = "aud_"
	// DefaultAuditRetention is how long audit events are kept unless configured.
	DefaultAuditRetention = 400 * 24 * time.Hour
	// auditPruneInterval is how often Run deletes events past the retention, and settled
	// outbox events past outboxRetention.
	auditPruneInterval = time.Hour
)

// eventSource is who makes a change and from where: a principal's request, or a background
// job of the service.
type eventSource struct {
	actor  store.AuditActor
	origin Origin
}

func (p Principal) source() eventSource {
	switch {
	case p.admin:
		return eventSource{actor: store.AuditActor{Type: ActorAdmin}, origin: p.origin}
	case p.keyID != "":
		return eventSource{actor: store.AuditActor{Type: ActorAPIKey, ID: p.keyID, Name: p.keyName}, origin: p.origin}
	}
	return eventSource{actor: store.AuditActor{Type: ActorAnonymous}, origin: p.origin}
}

// The background jobs that change keys.
var (
	scheduledRotationSource = eventSource{actor: store.AuditActor{Type: ActorSystem, ID: "scheduled_rotation"}}
	expirySource            = eventSource{actor: store.AuditActor{Type: ActorSystem, ID: "key_expiry"}}
)

// eventID is a new event id. crypto/rand does not fail (it crashes the program if the system's
// generator does), so neither does this.
func eventID(prefix string) string {
	id, _ := newID(prefix)
	return id
}

// auditEvent is one successful change made by src at at.
func auditEvent(src eventSource, projectID, action string, target store.AuditTarget, changes map[string]store.FieldChange, at time.Time) store.AuditEvent {
	e := store.AuditEvent{
		ID: eventID(auditEventIDPrefix), OccurredAt: at, Actor: src.actor, Action: action, Target: target,
		Changes: changes, RequestID: src.origin.RequestID, ClientAddress: src.origin.ClientAddress, Outcome: OutcomeSuccess,
	}
	if projectID != "" {
		e.ProjectID = &projectID
	}
	if e.Changes == nil {
		e.Changes = map[string]store.FieldChange{}
	}
	return e
}

func projectTarget(p store.Project) store.AuditTarget {
	return store.AuditTarget{Type: TargetProject, ID: p.ID, Name: p.Name}
}

func serviceAccountTarget(a store.ServiceAccount) store.AuditTarget {
	return store.AuditTarget{Type: TargetServiceAccount, ID: a.ID, Name: a.Name}
}

func environmentTarget(e store.Environment) store.AuditTarget {
	return store.AuditTarget{Type: TargetEnvironment, ID: e.ID, Name: e.Name}
}

func apiKeyTarget(k store.APIKey) store.AuditTarget {
	return store.AuditTarget{Type: TargetAPIKey, ID: k.ID, Name: k.Name}
}

// audited is the Changes of one audit event and nothing else.
func audited(e store.AuditEvent) store.Changes {
	return store.Changes{Audit: []store.AuditEvent{e}}
}

// Refusal is a management request the API refused (401, 403 or 429), for the audit trail:
// the principal when one was authenticated (zero otherwise), the route pattern (never the
// URL, whose path or query may hold a pasted secret), and the status.
type Refusal struct {
	Principal Principal
	Origin    Origin
	Route     string
	Status    int
}

// RecordRefusal writes the audit event of a refused request, in a write of its own. An
// authenticated key's refusal belongs to its project; any other is outside every project, for
// the admin to read. Nothing of the credential presented is recorded.
func (s *Service) RecordRefusal(ctx context.Context, r Refusal) error {
	src := r.Principal.source()
	src.origin = r.Origin
	e := auditEvent(src, r.Principal.projectID, ActionAuthRefused, store.AuditTarget{Type: TargetRequest, Name: r.Route}, nil, s.clock())
	e.Outcome, e.Status = OutcomeRefused, r.Status
	if err := s.store.RecordChanges(ctx, audited(e)); err != nil {
		return fmt.Errorf("record refused request: %w", err)
	}
	return nil
}

// ListAuditEventsInput selects and pages audit events, newest first. Actor is "admin",
// "system", "leak_report", "anonymous" or an API key id. ProjectID may be empty for the admin
// only: every event then, those outside any project included.
type ListAuditEventsInput struct {
	ProjectID  string
	Actor      *string
	Action     *string
	TargetID   *string
	TargetType *string
	Since      *time.Time
	Until      *time.Time
	PageSize   int
	PageToken  string
}

// ListAuditEvents returns one page of audit events, newest first (by time, then id, both
// descending: a stable order in which new events only ever come first). It needs keys:read.
func (s *Service) ListAuditEvents(ctx context.Context, p Principal, in ListAuditEventsInput) (Page[AuditEvent], error) {
	if err := p.Require(RightRead); err != nil {
		return Page[AuditEvent]{}, err
	}
	f := store.AuditEventFilter{Action: in.Action, TargetID: in.TargetID, TargetType: in.TargetType, Since: in.Since, Until: in.Until}
	if in.ProjectID == "" && !p.admin {
		return Page[AuditEvent]{}, Invalid("project_id", "is required")
	}
	if in.Actor != nil {
		switch a := *in.Actor; a {
		case ActorAdmin, ActorSystem, ActorLeakReport, ActorAnonymous:
			f.ActorType = &a
		case "":
			return Page[AuditEvent]{}, Invalid("actor", "must be admin, system, leak_report, anonymous or an API key id")
		default:
			f.ActorID = &a
		}
	}
	if in.Since != nil && in.Until != nil && !in.Since.Before(*in.Until) {
		return Page[AuditEvent]{}, Invalid("until", "must be after since")
	}
	q, err := openPage(in.PageSize, in.PageToken, "audit_events", in.ProjectID, opt(in.Actor), opt(in.Action),
		opt(in.TargetID), opt(in.TargetType), optTime(in.Since), optTime(in.Until))
	if err != nil {
		return Page[AuditEvent]{}, err
	}
	if in.ProjectID != "" {
		// After the query is checked: a project the principal does not reach answers exactly as
		// one that does not exist. A deleted project's trail stays readable (by the admin: its
		// keys are revoked), for "who deleted it?".
		if !p.reaches(in.ProjectID) {
			return Page[AuditEvent]{}, projectNotFound("project_id")
		}
		if _, err := s.store.GetProject(ctx, in.ProjectID); errors.Is(err, store.ErrNotFound) {
			return Page[AuditEvent]{}, projectNotFound("project_id")
		} else if err != nil {
			return Page[AuditEvent]{}, fmt.Errorf("load project: %w", err)
		}
		f.ProjectID = &in.ProjectID
	}
	f.After, f.Limit = q.after, q.limit()
	items, err := s.store.ListAuditEvents(ctx, f)
	if err != nil {
		return Page[AuditEvent]{}, fmt.Errorf("list audit events: %w", err)
	}
	return closePage(q, items, func(e AuditEvent) store.Cursor { return store.Cursor{Time: e.OccurredAt, ID: e.ID} }), nil
}

// runAuditPrune deletes audit events older than the retention, and outbox events settled
// longer ago than outboxRetention, at once and then every auditPruneInterval until ctx ends.
func (s *Service) runAuditPrune(ctx context.Context) {
	t := time.NewTicker(auditPruneInterval)
	defer t.Stop()
	for {
		if err := s.PruneEvents(ctx); err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "audit and outbox prune failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PruneEvents deletes audit events older than the configured retention and the outbox events
// settled more than outboxRetention ago.
func (s *Service) PruneEvents(ctx context.Context) error {
	now := s.clock()
	n, err := s.store.DeleteAuditEventsBefore(ctx, now.Add(-s.events.auditRetention))
	if err != nil {
		return fmt.Errorf("prune audit events: %w", err)
	}
	m, err := s.store.DeleteSettledOutboxEvents(ctx, now.Add(-outboxRetention))
	if err != nil {
		return fmt.Errorf("prune outbox events: %w", err)
	}
	if n+m > 0 {
		s.log.LogAttrs(ctx, slog.LevelInfo, "pruned events", slog.Int64("audit_events", n), slog.Int64("outbox_events", m))
	}
	return nil
}
