terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}

resource "keyservice_project" "payments" {
  name = "payments"
}

resource "keyservice_api_key" "deployer" {
  project_id  = keyservice_project.payments.id
  name        = "ci-deployer"
  description = "Deploys payments from CI"
  scopes      = ["deploy:write", "read"]
}

output "deployer_key_id" {
  value = keyservice_api_key.deployer.id
}

# The drift job's credential: it reads every key of the project, and may change none.
resource "keyservice_api_key" "drift_job" {
  project_id  = keyservice_project.payments.id
  name        = "ci-drift-job"
  description = "Plans in CI to detect drift; read-only"
  scopes      = ["keys:read"]
}

output "drift_job_token" {
  value     = keyservice_api_key.drift_job.key
  sensitive = true
}
