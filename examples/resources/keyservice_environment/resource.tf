resource "keyservice_project" "payments" {
  name = "payments"
}

resource "keyservice_environment" "production" {
  project_id  = keyservice_project.payments.id
  name        = "production"
  description = "Live traffic"
}

# The key's secret and key_prefix read "ks_production_…", so a leaked key says where it belongs.
resource "keyservice_api_key" "checkout" {
  project_id     = keyservice_project.payments.id
  environment_id = keyservice_environment.production.id
  name           = "checkout"
  scopes         = ["payments:write"]
}
