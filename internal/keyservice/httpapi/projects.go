package httpapi

import (
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

func (s *Server) handleCreateProject(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeCreateProject(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.CreateProject(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, projectWithSecretJSON{toProjectJSON(p.Project), p.WebhookSigningSecret})
}

func (s *Server) handleRotateWebhookSecret(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := decodeStrict(body, &struct{}{}); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.RotateWebhookSecret(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectWithSecretJSON{toProjectJSON(p.Project), p.WebhookSigningSecret})
}

func (s *Server) handleListProjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := keyservice.ListProjectsInput{PageToken: q.Get("page_token")}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.svc.ListProjects(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(page, toProjectJSON))
}

func (s *Server) handleGetProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.GetProject(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProjectJSON(p))
}

func (s *Server) handleUpdateProject(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeUpdateProject(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.UpdateProject(r.Context(), principalFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProjectJSON(p))
}

func (s *Server) handleDeleteProject(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteProject(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Wire representations. Every field is always present; unset values are null, never omitted,
// so clients can tell "cleared" from "not sent".

type projectJSON struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	RequireOTP       bool    `json:"require_otp"`
	EventsWebhookURL *string `json:"events_webhook_url"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

// projectWithSecretJSON is the only representation carrying the webhook
// signing secret: the create and rotate-secret responses.
type projectWithSecretJSON struct {
	projectJSON
	WebhookSigningSecret string `json:"webhook_signing_secret"`
}

func toProjectJSON(p keyservice.Project) projectJSON {
	return projectJSON{
		ID: p.ID, Name: p.Name, Description: p.Description, RequireOTP: p.OTPSecret != nil, EventsWebhookURL: p.EventsWebhookURL,
		CreatedAt: keyservice.FormatTime(p.CreatedAt), UpdatedAt: keyservice.FormatTime(p.UpdatedAt),
	}
}

type createProjectRequest struct {
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	EventsWebhookURL *string `json:"events_webhook_url"`
}

func decodeCreateProject(body []byte) (keyservice.CreateProjectInput, error) {
	var req createProjectRequest
	if err := decodeStrict(body, &req); err != nil {
		return keyservice.CreateProjectInput{}, err
	}
	return keyservice.CreateProjectInput(req), nil
}

func decodeUpdateProject(body []byte) (keyservice.UpdateProjectInput, error) {
	m, err := patchObject(body, "name", "description", "events_webhook_url")
	if err != nil {
		return keyservice.UpdateProjectInput{}, err
	}
	var in keyservice.UpdateProjectInput
	if raw, ok := m["name"]; ok {
		if isNull(raw) {
			return keyservice.UpdateProjectInput{}, keyservice.Invalid("name", "must not be null")
		}
		in.Name = new(string)
		if err := patchField(raw, "name", in.Name); err != nil {
			return keyservice.UpdateProjectInput{}, err
		}
	}
	if raw, ok := m["description"]; ok {
		in.Description = new(string) // null clears to ""
		if err := patchField(raw, "description", in.Description); err != nil {
			return keyservice.UpdateProjectInput{}, err
		}
	}
	if raw, ok := m["events_webhook_url"]; ok {
		in.EventsWebhookURL.Set = true // null stops the events
		if !isNull(raw) {
			in.EventsWebhookURL.Value = new(string)
			if err := patchField(raw, "events_webhook_url", in.EventsWebhookURL.Value); err != nil {
				return keyservice.UpdateProjectInput{}, err
			}
		}
	}
	return in, nil
}
