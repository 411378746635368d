# A project and two keys: one for a CI deployer, one for a read-only dashboard.
# The provider reads KEYSERVICE_ENDPOINT and KEYSERVICE_TOKEN from the environment.
terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}

provider "keyservice" {}

resource "keyservice_project" "quickstart" {
  name        = "quickstart"
  description = "Created by examples/quickstart"
}

resource "keyservice_api_key" "ci" {
  project_id  = keyservice_project.quickstart.id
  name        = "ci-deployer"
  description = "Deploys from CI"
  scopes      = ["deploy:write", "read"]
}

resource "keyservice_api_key" "dashboard" {
  project_id = keyservice_project.quickstart.id
  name       = "dashboard"
  scopes     = ["read"]
}

output "ci_key_prefix" {
  value = keyservice_api_key.ci.key_prefix
}

output "dashboard_key_prefix" {
  value = keyservice_api_key.dashboard.key_prefix
}

output "ci_key" {
  value     = keyservice_api_key.ci.key
  sensitive = true
}
