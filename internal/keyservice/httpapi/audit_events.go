package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// auditEventsQueryParameters are the query parameters GET /v1/audit-events knows; any other is
// refused, so that a misspelt filter is never silently ignored (a filter ignored widens what an
// audit read returns).
var auditEventsQueryParameters = []string{
	"project_id", "actor", "action", "target_id", "target_type", "since", "until", "page_size", "page_token",
}

func (s *Server) handleListAuditEvents(w http.ResponseWriter, r *http.Request) {
	in, err := listAuditEventsQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.svc.ListAuditEvents(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(page, toAuditEventJSON))
}

func listAuditEventsQuery(q url.Values) (keyservice.ListAuditEventsInput, error) {
	if err := knownQueryParameters(q, auditEventsQueryParameters...); err != nil {
		return keyservice.ListAuditEventsInput{}, err
	}
	in := keyservice.ListAuditEventsInput{ProjectID: q.Get("project_id"), PageToken: q.Get("page_token")}
	str := func(name string) *string {
		if !q.Has(name) {
			return nil
		}
		v := q.Get(name)
		return &v
	}
	in.Actor, in.Action, in.TargetID, in.TargetType = str("actor"), str("action"), str("target_id"), str("target_type")
	for name, dst := range map[string]**time.Time{"since": &in.Since, "until": &in.Until} {
		if q.Has(name) {
			t, err := parseTimestamp(name, q.Get(name))
			if err != nil {
				return keyservice.ListAuditEventsInput{}, err
			}
			*dst = &t
		}
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		return keyservice.ListAuditEventsInput{}, err
	}
	return in, nil
}

type auditEventJSON struct {
	ID            string                       `json:"id"`
	OccurredAt    string                       `json:"occurred_at"`
	ProjectID     *string                      `json:"project_id"`
	Actor         auditActorJSON               `json:"actor"`
	Action        string                       `json:"action"`
	Target        auditTargetJSON              `json:"target"`
	Changes       map[string]store.FieldChange `json:"changes"`
	RequestID     *string                      `json:"request_id"`
	ClientAddress *string                      `json:"client_address"`
	Outcome       string                       `json:"outcome"`
	Status        *int                         `json:"status"`
}

type auditActorJSON struct {
	Type string  `json:"type"`
	ID   *string `json:"id"`
	Name *string `json:"name"`
}

type auditTargetJSON struct {
	Type string  `json:"type"`
	ID   *string `json:"id"`
	Name *string `json:"name"`
}

// nullIfEmpty writes an unset string as null.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toAuditEventJSON(e keyservice.AuditEvent) auditEventJSON {
	out := auditEventJSON{
		ID: e.ID, OccurredAt: keyservice.FormatTime(e.OccurredAt), ProjectID: e.ProjectID,
		Actor:   auditActorJSON{Type: e.Actor.Type, ID: nullIfEmpty(e.Actor.ID), Name: nullIfEmpty(e.Actor.Name)},
		Action:  e.Action,
		Target:  auditTargetJSON{Type: e.Target.Type, ID: nullIfEmpty(e.Target.ID), Name: nullIfEmpty(e.Target.Name)},
		Changes: e.Changes, RequestID: nullIfEmpty(e.RequestID), ClientAddress: nullIfEmpty(e.ClientAddress),
		Outcome: e.Outcome,
	}
	if out.Changes == nil {
		out.Changes = map[string]store.FieldChange{}
	}
	if e.Status != 0 {
		out.Status = &e.Status
	}
	return out
}
