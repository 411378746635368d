# Every live key of the project whose name starts with "ci-" and that can deploy,
# soonest to expire first.
data "keyservice_api_keys" "ci" {
  project_id  = "prj_0123456789abcdefghij"
  name_prefix = "ci-"
  scope       = "deploy:write"
  sort_by     = "expires_at"
}

output "ci_key_prefixes" {
  value = [for k in data.keyservice_api_keys.ci.keys : k.key_prefix]
}
