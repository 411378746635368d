# By name in the provider's default project (or set project_id), or by id: an environment
# another configuration manages, to bind a key to it.
data "keyservice_environment" "production" {
  name = "production"
}

resource "keyservice_api_key" "checkout" {
  name           = "checkout"
  environment_id = data.keyservice_environment.production.id
  scopes         = ["payments:write"]
}
