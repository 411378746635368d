package httpapi

import (
	"net/http"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

func (s *Server) handleCreateEnvironment(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeCreateEnvironment(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.svc.CreateEnvironment(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toEnvironmentJSON(e))
}

func (s *Server) handleListEnvironments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := keyservice.ListEnvironmentsInput{ProjectID: q.Get("project_id"), PageToken: q.Get("page_token")}
	if q.Has("name") {
		v := q.Get("name")
		in.Name = &v
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.svc.ListEnvironments(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(page, toEnvironmentJSON))
}

func (s *Server) handleGetEnvironment(w http.ResponseWriter, r *http.Request) {
	e, err := s.svc.GetEnvironment(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEnvironmentJSON(e))
}

func (s *Server) handleUpdateEnvironment(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeUpdateEnvironment(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.svc.UpdateEnvironment(r.Context(), principalFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEnvironmentJSON(e))
}

func (s *Server) handleDeleteEnvironment(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteEnvironment(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type environmentJSON struct {
	ID          string `json:"id"`
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func toEnvironmentJSON(e keyservice.Environment) environmentJSON {
	return environmentJSON{
		ID: e.ID, ProjectID: e.ProjectID, Name: e.Name, Description: e.Description,
		CreatedAt: keyservice.FormatTime(e.CreatedAt), UpdatedAt: keyservice.FormatTime(e.UpdatedAt),
	}
}

type createEnvironmentRequest struct {
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func decodeCreateEnvironment(body []byte) (keyservice.CreateEnvironmentInput, error) {
	var req createEnvironmentRequest
	if err := decodeStrict(body, &req); err != nil {
		return keyservice.CreateEnvironmentInput{}, err
	}
	return keyservice.CreateEnvironmentInput(req), nil
}

func decodeUpdateEnvironment(body []byte) (keyservice.UpdateEnvironmentInput, error) {
	m, err := patchObject(body, "name", "description")
	if err != nil {
		return keyservice.UpdateEnvironmentInput{}, err
	}
	var in keyservice.UpdateEnvironmentInput
	if in.Name, err = patchNonNull[string](m, "name"); err != nil {
		return keyservice.UpdateEnvironmentInput{}, err
	}
	if in.Description, err = patchDescription(m); err != nil {
		return keyservice.UpdateEnvironmentInput{}, err
	}
	return in, nil
}
