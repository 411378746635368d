terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}

variable "workloads" {
  description = "Workloads of the payments team and the scopes each needs."
  type = map(object({
    description = string
    scopes      = list(string)
  }))
  default = {
    "ci-deployer" = {
      description = "Deploys payments from CI"
      scopes      = ["deploy:write", "read"]
    }
    "payments-api" = {
      description = "The payments API, calling the ledger"
      scopes      = ["ledger:write", "read"]
    }
    "dashboard" = {
      description = "Read-only dashboard"
      scopes      = ["read"]
    }
  }
}

variable "suspended" {
  description = "Workloads whose keys are switched off, e.g. during an incident."
  type        = set(string)
  default     = []
}

resource "keyservice_project" "payments" {
  name        = "payments"
  description = "Keys of the payments team"
}

# One service account per workload: it owns the workload's keys.
resource "keyservice_service_account" "workload" {
  for_each = var.workloads

  project_id  = keyservice_project.payments.id
  name        = each.key
  description = each.value.description
  active      = !contains(var.suspended, each.key)
}

resource "keyservice_api_key" "workload" {
  for_each = var.workloads

  project_id         = keyservice_project.payments.id
  service_account_id = keyservice_service_account.workload[each.key].id
  name               = each.key
  scopes             = each.value.scopes

  # Rotated in place every 30 days; the previous key keeps working for a day.
  rotation_days         = 30
  rotation_grace_period = "24h"
}

# The payments team's own Terraform runs use this key, not the admin token: with keys:admin it
# can manage the keys and service accounts of this project only (keys:write would allow the
# keys alone, keys:read only plans).
resource "keyservice_service_account" "team_terraform" {
  project_id  = keyservice_project.payments.id
  name        = "payments-terraform"
  description = "The payments team's own Terraform runs"
}

resource "keyservice_api_key" "team_terraform" {
  project_id            = keyservice_project.payments.id
  service_account_id    = keyservice_service_account.team_terraform.id
  name                  = "payments-terraform"
  scopes                = ["keys:admin"]
  rotation_days         = 90
  rotation_grace_period = "168h"
}

# Every key that expires within 30 days, soonest first.
data "keyservice_api_keys" "expiring" {
  project_id     = keyservice_project.payments.id
  expires_before = timeadd(plantimestamp(), "720h")
  sort_by        = "expires_at"

  depends_on = [keyservice_api_key.workload]
}

output "project_id" {
  value = keyservice_project.payments.id
}

output "payments_api_key" {
  value     = keyservice_api_key.workload["payments-api"].key
  sensitive = true
}

output "team_token" {
  value     = keyservice_api_key.team_terraform.key
  sensitive = true
}

output "expiring_soon" {
  value = [for k in data.keyservice_api_keys.expiring.keys : "${k.name} (${k.key_prefix}) expires ${k.expires_at}"]
}
