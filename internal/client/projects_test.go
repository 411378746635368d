package client

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
)

func TestProjectEndpoints(t *testing.T) {
	project := `{"id":"p1","name":"payments","description":"d","created_at":"2025-01-02T03:04:05Z","updated_at":"2025-01-02T03:04:05Z"}`
	srv := newFakeServer(t,
		respond(http.StatusCreated, project),
		respond(http.StatusOK, project),
		respond(http.StatusOK, project),
		respond(http.StatusOK, `{"items":[`+project+`],"next_page_token":"n"}`),
		respond(http.StatusNoContent, ""),
		respond(http.StatusNotFound, `{"error":{"code":"not_found","message":"no such project"}}`))
	c := newTestClient(t, srv.URL)
	ctx := t.Context()

	p, err := c.CreateProject(ctx, CreateProjectRequest{Name: "payments", Description: "d"})
	if err != nil || p.ID != "p1" || p.CreatedAt.IsZero() {
		t.Fatalf("CreateProject = %+v, %v", p, err)
	}
	if _, err := c.GetProject(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	desc := ""
	if _, err := c.UpdateProject(ctx, "p1", UpdateProjectRequest{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListProjects(ctx, 10, "tok")
	if err != nil || len(list.Items) != 1 || list.NextPageToken != "n" {
		t.Fatalf("ListProjects = %+v, %v", list, err)
	}
	if err := c.DeleteProject(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteProject(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a missing project: err = %v, want ErrNotFound", err)
	}

	reqs := srv.recorded()
	want := []struct{ method, path, body string }{
		{"POST", "/v1/projects", `{"name":"payments","description":"d"}`},
		{"GET", "/v1/projects/p1", ``},
		{"PATCH", "/v1/projects/p1", `{"description":""}`},
		{"GET", "/v1/projects", ``},
		{"DELETE", "/v1/projects/p1", ``},
		{"DELETE", "/v1/projects/p1", ``},
	}
	for i, w := range want {
		if reqs[i].method != w.method || reqs[i].path != w.path || reqs[i].body != w.body {
			t.Errorf("request %d = %s %s %s, want %s %s %s", i+1, reqs[i].method, reqs[i].path, reqs[i].body, w.method, w.path, w.body)
		}
	}
	if q, _ := url.ParseQuery(reqs[3].query); q.Get("page_size") != "10" || q.Get("page_token") != "tok" {
		t.Errorf("list query = %s", reqs[3].query)
	}
}
