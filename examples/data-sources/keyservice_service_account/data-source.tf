# By name in the provider's default project (or set project_id), or by id.
data "keyservice_service_account" "ci" {
  name = "ci"
}

output "ci_is_active" {
  value = data.keyservice_service_account.ci.active
}
