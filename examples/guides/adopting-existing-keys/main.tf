# Adopt every key of a project that was made outside Terraform, in one plan.
terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}

provider "keyservice" {}

variable "project_id" {
  description = "Project whose keys to adopt."
  type        = string
}

# Every live key of the project (add name_prefix, service_account_id, … to narrow it).
data "keyservice_api_keys" "existing" {
  project_id = var.project_id
}

locals {
  existing = { for k in data.keyservice_api_keys.existing.keys : k.name => k }
}

# One import block for all of them.
import {
  for_each = local.existing
  to       = keyservice_api_key.adopted[each.key]
  id       = each.value.id
}

# From now on Terraform manages them; edit a key's arguments here to change it. Every argument
# the key service holds is copied, so that adopting changes no key: a key whose service account
# or environment were left out would be replaced, and its secret revoked.
resource "keyservice_api_key" "adopted" {
  for_each               = local.existing
  project_id             = var.project_id
  name                   = each.value.name
  description            = each.value.description
  scopes                 = each.value.scopes
  active                 = each.value.active
  expires_at             = each.value.expires_at
  service_account_id     = each.value.service_account_id
  environment_id         = each.value.environment_id
  rotation_interval_days = each.value.rotation_interval_days
  rotation_webhook_url   = each.value.rotation_webhook_url
}
