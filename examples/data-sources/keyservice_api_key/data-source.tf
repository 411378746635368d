data "keyservice_api_key" "deployer" {
  project_id = "prj_0123456789abcdefghij"
  name       = "ci-deployer"
}

output "deployer_status" {
  value = data.keyservice_api_key.deployer.status
}
