# A read-only key that lives for this run only: created when the run opens it,
# revoked when the run closes it, never written to state or plan.
# Needs Terraform 1.10+ or OpenTofu 1.11+.
ephemeral "keyservice_api_key" "smoke_test" {
  project_id  = "prj_0123456789abcdefghij"
  name_prefix = "smoke-test-"
  scopes      = ["read"]
  ttl         = "15m"
}

# Hand it to another provider, e.g. as a header of an HTTP check:
#
# provider "restapi" {
#   headers = {
#     Authorization = "Bearer ${ephemeral.keyservice_api_key.smoke_test.key}"
#   }
# }
