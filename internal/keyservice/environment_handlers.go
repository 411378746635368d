package keyservice

import "net/http"

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
	e, err := s.svc.createEnvironment(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toEnvironmentJSON(e))
}

func (s *Server) handleListEnvironments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := listEnvironmentsInput{ProjectID: q.Get("project_id"), PageToken: q.Get("page_token")}
	if q.Has("name") {
		v := q.Get("name")
		in.Name = &v
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next, err := s.svc.listEnvironments(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := environmentListJSON{Items: make([]environmentJSON, 0, len(items)), NextPageToken: next}
	for _, e := range items {
		out.Items = append(out.Items, toEnvironmentJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetEnvironment(w http.ResponseWriter, r *http.Request) {
	e, err := s.svc.getEnvironment(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
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
	e, err := s.svc.updateEnvironment(r.Context(), principalFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEnvironmentJSON(e))
}

func (s *Server) handleDeleteEnvironment(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.deleteEnvironment(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
