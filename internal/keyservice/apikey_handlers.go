package keyservice

import (
	"net/http"
	"net/url"
	"strconv"
)

func (s *Server) handleCreateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeCreateAPIKey(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k, err := s.svc.createAPIKey(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, k.APIKey)
	writeJSON(w, http.StatusCreated, createdAPIKeyJSON{apiKeyJSON: toAPIKeyJSON(k.APIKey), Key: k.Secret})
}

func (s *Server) handleListAPIKeys(w http.ResponseWriter, r *http.Request) {
	in, err := listAPIKeysQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next, err := s.svc.listAPIKeys(r.Context(), principalFrom(r.Context()), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := apiKeyListJSON{Items: make([]apiKeyJSON, 0, len(items)), NextPageToken: next}
	for _, k := range items {
		out.Items = append(out.Items, toAPIKeyJSON(k))
	}
	writeJSON(w, http.StatusOK, out)
}

func listAPIKeysQuery(q url.Values) (listAPIKeysInput, error) {
	in := listAPIKeysInput{
		ProjectID: q.Get("project_id"),
		SortBy:    q.Get("sort_by"),
		PageToken: q.Get("page_token"),
	}
	str := func(name string) *string {
		if !q.Has(name) {
			return nil
		}
		v := q.Get(name)
		return &v
	}
	in.Name = str("name")
	in.NamePrefix = str("name_prefix")
	in.Scope = str("scope")
	in.ServiceAccountID = str("service_account_id")
	in.EnvironmentID = str("environment_id")
	if q.Has("active") {
		b, err := strconv.ParseBool(q.Get("active"))
		if err != nil {
			return listAPIKeysInput{}, invalid("active", "must be true or false")
		}
		in.Active = &b
	}
	if q.Has("include_revoked") {
		b, err := strconv.ParseBool(q.Get("include_revoked"))
		if err != nil {
			return listAPIKeysInput{}, invalid("include_revoked", "must be true or false")
		}
		in.IncludeRevoked = b
	}
	if q.Has("expires_before") {
		t, err := parseTimestamp("expires_before", q.Get("expires_before"))
		if err != nil {
			return listAPIKeysInput{}, err
		}
		in.ExpiresBefore = &t
	}
	var err error
	if in.PageSize, err = queryPageSize(q); err != nil {
		return listAPIKeysInput{}, err
	}
	return in, nil
}

func (s *Server) handleGetAPIKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.svc.getAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, k)
	writeJSON(w, http.StatusOK, toAPIKeyJSON(k))
}

func (s *Server) handleUpdateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := decodeUpdateAPIKey(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	k, err := s.svc.updateAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"), in, r.Header.Get(headerIfMatch))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, k)
	writeJSON(w, http.StatusOK, toAPIKeyJSON(k))
}

func (s *Server) handleRevokeAPIKey(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.revokeAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRotateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	grace, err := decodeRotateAPIKey(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rot, err := s.svc.rotateAPIKey(r.Context(), principalFrom(r.Context()), r.PathValue("id"), grace)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, rot.Next.APIKey)
	writeJSON(w, http.StatusCreated, rotatedAPIKeyJSON{
		apiKeyJSON:                toAPIKeyJSON(rot.Next.APIKey),
		Key:                       rot.Next.Secret,
		PreviousKeyID:             rot.Previous.ID,
		PreviousKeyGraceExpiresAt: formatTimePtr(rot.Previous.GraceExpiresAt),
	})
}

func (s *Server) handleRevokeAPIKeys(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, err := decodeRevokeAPIKeys(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	revoked, err := s.svc.revokeAPIKeys(r.Context(), principalFrom(r.Context()), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, revokedJSON{Revoked: revoked})
}
