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
