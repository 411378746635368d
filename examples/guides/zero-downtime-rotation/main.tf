terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}

# Bump to rotate the key now, e.g. terraform apply -var key_generation=2.
variable "key_generation" {
  type    = number
  default = 1
}

resource "keyservice_project" "payments" {
  name = "payments"
}

resource "keyservice_api_key" "deployer" {
  project_id = keyservice_project.payments.id
  name       = "ci-deployer"
  scopes     = ["deploy:write"]

  # Rotate in place every 90 days...
  rotation_days = 90
  # ...or whenever a value in this map changes.
  rotate_triggers = {
    generation = var.key_generation
  }
  # After a rotation the previous key keeps working for a day, so consumers can cut over.
  rotation_grace_period = "24h"
}

output "deployer_key" {
  value     = keyservice_api_key.deployer.key
  sensitive = true
}

output "deployer_key_id" {
  value = keyservice_api_key.deployer.id
}

output "previous_key_id" {
  value = keyservice_api_key.deployer.previous_key_id
}

output "previous_key_valid_until" {
  value = keyservice_api_key.deployer.previous_key_grace_expires_at
}
