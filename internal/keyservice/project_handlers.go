package keyservice

import "net/http"

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
	p, err := s.svc.createProject(r.Context(), principalFrom(r.Context()), in)
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
	p, err := s.svc.rotateWebhookSecret(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, projectWithSecretJSON{toProjectJSON(p.Project), p.WebhookSigningSecret})
}

func (s *Server) handleListProjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, err := queryPageSize(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next, err := s.svc.listProjects(r.Context(), principalFrom(r.Context()), size, q.Get("page_token"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := projectListJSON{Items: make([]projectJSON, 0, len(items)), NextPageToken: next}
	for _, p := range items {
		out.Items = append(out.Items, toProjectJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.getProject(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
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
	p, err := s.svc.updateProject(r.Context(), principalFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProjectJSON(p))
}

func (s *Server) handleDeleteProject(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.deleteProject(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
