package client

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestServiceAccountsAgainstTheServer(t *testing.T) {
	c := newKeyserviceClient(t)
	ctx := t.Context()
	p, err := c.CreateProject(ctx, CreateProjectRequest{Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.WebhookSigningSecret, "whsec_") {
		t.Fatalf("CreateProject did not return the webhook signing secret")
	}
	if s := fmt.Sprintf("%v %+v %#v", *p, *p, *p); strings.Contains(s, p.WebhookSigningSecret) {
		t.Fatalf("formatting a project prints its signing secret: %s", s)
	}
	rotated, err := c.RotateWebhookSigningSecret(ctx, p.ID)
	if err != nil || rotated.ID != p.ID || !strings.HasPrefix(rotated.WebhookSigningSecret, "whsec_") || rotated.WebhookSigningSecret == p.WebhookSigningSecret {
		t.Fatalf("RotateWebhookSigningSecret = %v, %v", rotated, err)
	}
	if got, _ := c.GetProject(ctx, p.ID); got.WebhookSigningSecret != "" {
		t.Fatal("GetProject carries the signing secret")
	}

	// A name that needs escaping in the path.
	name := "team/ci deployer?"
	inactive := false
	a, err := c.CreateServiceAccount(ctx, CreateServiceAccountRequest{ProjectID: p.ID, Name: name, Description: "d", Active: &inactive})
	if err != nil || a.Name != name || a.Active || a.Description != "d" || !strings.HasPrefix(a.ID, "sa_") {
		t.Fatalf("CreateServiceAccount = %+v, %v", a, err)
	}
	got, err := c.GetServiceAccount(ctx, a.ID)
	if err != nil || got.ID != a.ID {
		t.Fatalf("GetServiceAccount = %+v, %v", got, err)
	}
	got, err = c.GetServiceAccountByName(ctx, p.ID, name)
	if err != nil || got.ID != a.ID {
		t.Fatalf("GetServiceAccountByName = %+v, %v", got, err)
	}
	if _, err := c.GetServiceAccountByName(ctx, p.ID, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := c.CreateServiceAccount(ctx, CreateServiceAccountRequest{ProjectID: p.ID, Name: name}); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate name: %v", err)
	}
	active, newName := true, "deployer"
	got, err = c.UpdateServiceAccount(ctx, a.ID, UpdateServiceAccountRequest{Active: &active, Name: &newName})
	if err != nil || !got.Active || got.Name != newName || got.Description != "d" {
		t.Fatalf("UpdateServiceAccount = %+v, %v", got, err)
	}
	for i := range 3 {
		if _, err := c.CreateServiceAccount(ctx, CreateServiceAccountRequest{ProjectID: p.ID, Name: fmt.Sprintf("bot-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.ListAllServiceAccounts(ctx, ListServiceAccountsOptions{ProjectID: p.ID, PageSize: 1, SortBy: "-name"})
	if err != nil || len(all) != 4 || all[0].Name != "deployer" || all[3].Name != "bot-0" {
		t.Fatalf("ListAllServiceAccounts = %+v, %v", all, err)
	}
	page, err := c.ListServiceAccounts(ctx, ListServiceAccountsOptions{ProjectID: p.ID, NamePrefix: "bot-", Active: &active})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("ListServiceAccounts with filters = %+v, %v", page, err)
	}
	if err := c.DeleteServiceAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteServiceAccount(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := c.GetServiceAccount(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := c.GetServiceAccountByName(ctx, "", "x"); err == nil {
		t.Fatal("GetServiceAccountByName without a project")
	}
}

func TestEnvironmentsAgainstTheServer(t *testing.T) {
	c := newKeyserviceClient(t)
	ctx := t.Context()
	p, err := c.CreateProject(ctx, CreateProjectRequest{Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.CreateEnvironment(ctx, CreateEnvironmentRequest{ProjectID: p.ID, Name: "production", Description: "live"})
	if err != nil || e.Name != "production" || !strings.HasPrefix(e.ID, "env_") {
		t.Fatalf("CreateEnvironment = %+v, %v", e, err)
	}
	if _, err := c.CreateEnvironment(ctx, CreateEnvironmentRequest{ProjectID: p.ID, Name: "Bad_Name"}); !errors.Is(err, ErrValidation) {
		t.Fatalf("bad name: %v", err)
	}
	got, err := c.GetEnvironmentByName(ctx, p.ID, "production")
	if err != nil || got.ID != e.ID {
		t.Fatalf("GetEnvironmentByName = %+v, %v", got, err)
	}
	if _, err := c.GetEnvironmentByName(ctx, p.ID, "staging"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown name: %v", err)
	}
	k, err := c.CreateAPIKey(ctx, CreateAPIKeyRequest{ProjectID: p.ID, Name: "api", EnvironmentID: &e.ID})
	if err != nil || !strings.HasPrefix(k.Key, "ks_production_") || !strings.HasPrefix(k.KeyPrefix, "ks_production_") {
		t.Fatalf("key bound to production: prefix %q, %v", k.KeyPrefix, err)
	}
	if err := c.DeleteEnvironment(ctx, e.ID); !errors.Is(err, ErrConflict) {
		t.Fatalf("delete with a live key: %v", err)
	}
	newName, desc := "prod", ""
	got, err = c.UpdateEnvironment(ctx, e.ID, UpdateEnvironmentRequest{Name: &newName, Description: &desc})
	if err != nil || got.Name != "prod" || got.Description != "" {
		t.Fatalf("UpdateEnvironment = %+v, %v", got, err)
	}
	if _, err := c.CreateEnvironment(ctx, CreateEnvironmentRequest{ProjectID: p.ID, Name: "staging"}); err != nil {
		t.Fatal(err)
	}
	all, err := c.ListAllEnvironments(ctx, ListEnvironmentsOptions{ProjectID: p.ID, PageSize: 1})
	if err != nil || len(all) != 2 {
		t.Fatalf("ListAllEnvironments = %+v, %v", all, err)
	}
	if err := c.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteEnvironment(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetEnvironment(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
}
