resource "keyservice_project" "payments" {
  name = "payments"
}

# The identity the CI system acts as. Setting active = false suspends every key it owns at
# once; destroying it revokes them.
resource "keyservice_service_account" "ci" {
  project_id  = keyservice_project.payments.id
  name        = "ci"
  description = "Deploys payments from CI"
}

resource "keyservice_api_key" "ci_deployer" {
  project_id         = keyservice_project.payments.id
  service_account_id = keyservice_service_account.ci.id
  name               = "ci-deployer"
  scopes             = ["deploy:write"]
}
