package httpapi

import (
	"net/http"
	"strconv"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
)

// serviceAccountRefFrom reads {id_or_name}: an id, or a name when the query names the project.
func serviceAccountRefFrom(r *http.Request) keyservice.ServiceAccountRef {
	return keyservice.ServiceAccountRef{IDOrName: r.PathValue("id_or_name"), ProjectID: r.URL.Query().Get("project_id")}
}

func (s *Server) handleCreateServiceAccount(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeCreateServiceAccount(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.svc.CreateServiceAccount(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toServiceAccountJSON(a))
}

func (s *Server) handleListServiceAccounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := keyservice.ListServiceAccountsInput{ProjectID: q.Get("project_id"), SortBy: q.Get("sort_by"), PageToken: q.Get("page_token")}
	if q.Has("name") {
		v := q.Get("name")
		in.Name = &v
	}
	if q.Has("name_prefix") {
		v := q.Get("name_prefix")
		in.NamePrefix = &v
	}
	if q.Has("active") {
		b, err := strconv.ParseBool(q.Get("active"))
		if err != nil {
			s.writeError(w, r, keyservice.Invalid("active", "must be true or false"))
			return
		}
		in.Active = &b
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.svc.ListServiceAccounts(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(page, toServiceAccountJSON))
}

func (s *Server) handleGetServiceAccount(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.GetServiceAccount(r.Context(), principalFrom(r.Context()), serviceAccountRefFrom(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toServiceAccountJSON(a))
}

func (s *Server) handleUpdateServiceAccount(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeUpdateServiceAccount(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.svc.UpdateServiceAccount(r.Context(), principalFrom(r.Context()), serviceAccountRefFrom(r), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toServiceAccountJSON(a))
}

func (s *Server) handleDeleteServiceAccount(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteServiceAccount(r.Context(), principalFrom(r.Context()), serviceAccountRefFrom(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type serviceAccountJSON struct {
	ID          string `json:"id"`
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      bool   `json:"active"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func toServiceAccountJSON(a keyservice.ServiceAccount) serviceAccountJSON {
	return serviceAccountJSON{
		ID: a.ID, ProjectID: a.ProjectID, Name: a.Name, Description: a.Description, Active: a.Active,
		CreatedAt: keyservice.FormatTime(a.CreatedAt), UpdatedAt: keyservice.FormatTime(a.UpdatedAt),
	}
}

type createServiceAccountRequest struct {
	ProjectID   string `json:"project_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      *bool  `json:"active"`
}

func decodeCreateServiceAccount(body []byte) (keyservice.CreateServiceAccountInput, error) {
	var req createServiceAccountRequest
	if err := decodeStrict(body, &req); err != nil {
		return keyservice.CreateServiceAccountInput{}, err
	}
	return keyservice.CreateServiceAccountInput(req), nil
}

func decodeUpdateServiceAccount(body []byte) (keyservice.UpdateServiceAccountInput, error) {
	m, err := patchObject(body, "name", "description", "active")
	if err != nil {
		return keyservice.UpdateServiceAccountInput{}, err
	}
	var in keyservice.UpdateServiceAccountInput
	if in.Name, err = patchNonNull[string](m, "name"); err != nil {
		return keyservice.UpdateServiceAccountInput{}, err
	}
	if in.Active, err = patchNonNull[bool](m, "active"); err != nil {
		return keyservice.UpdateServiceAccountInput{}, err
	}
	if in.Description, err = patchDescription(m); err != nil {
		return keyservice.UpdateServiceAccountInput{}, err
	}
	return in, nil
}
