package keyservice

import (
	"net/http"
	"strconv"
)

// serviceAccountRefFrom reads {id_or_name}: an id, or a name when the query names the project.
func serviceAccountRefFrom(r *http.Request) serviceAccountRef {
	return serviceAccountRef{IDOrName: r.PathValue("id_or_name"), ProjectID: r.URL.Query().Get("project_id")}
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
	a, err := s.svc.createServiceAccount(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toServiceAccountJSON(a))
}

func (s *Server) handleListServiceAccounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := listServiceAccountsInput{ProjectID: q.Get("project_id"), SortBy: q.Get("sort_by"), PageToken: q.Get("page_token")}
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
			s.writeError(w, r, invalid("active", "must be true or false"))
			return
		}
		in.Active = &b
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next, err := s.svc.listServiceAccounts(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := serviceAccountListJSON{Items: make([]serviceAccountJSON, 0, len(items)), NextPageToken: next}
	for _, a := range items {
		out.Items = append(out.Items, toServiceAccountJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetServiceAccount(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.getServiceAccount(r.Context(), principalFrom(r.Context()), serviceAccountRefFrom(r))
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
	a, err := s.svc.updateServiceAccount(r.Context(), principalFrom(r.Context()), serviceAccountRefFrom(r), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toServiceAccountJSON(a))
}

func (s *Server) handleDeleteServiceAccount(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.deleteServiceAccount(r.Context(), principalFrom(r.Context()), serviceAccountRefFrom(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
