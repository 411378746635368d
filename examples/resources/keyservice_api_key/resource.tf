resource "keyservice_project" "payments" {
  name = "payments"
}

# A key for a CI deployer, rotated in place every 90 days; the previous key keeps working for
# 24 hours after each rotation so that consumers can cut over without downtime.
resource "keyservice_api_key" "deployer" {
  project_id            = keyservice_project.payments.id
  name                  = "ci-deployer"
  description           = "Deploys payments from CI"
  scopes                = ["deploy:write", "read"]
  rotation_days         = 90
  rotation_grace_period = "24h"

  # Change any value to rotate the key now.
  rotate_triggers = {
    generation = "1"
  }
}

output "deployer_key" {
  value     = keyservice_api_key.deployer.key
  sensitive = true
}
