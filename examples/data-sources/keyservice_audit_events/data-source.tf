# Who revoked keys in the payments project during the last day, and from where.
data "keyservice_audit_events" "revocations" {
  project_id = "prj_0123456789abcdefghij"
  action     = "api_key.revoke"
  since      = timeadd(plantimestamp(), "-24h")
}

output "revoked_by" {
  value = [
    for e in data.keyservice_audit_events.revocations.events :
    "${e.occurred_at} ${e.target_name} by ${coalesce(e.actor_name, e.actor_type)} from ${coalesce(e.client_address, "the server")}"
  ]
}

# A CI check: warn when the deployer key's scopes were changed by anyone but the pipeline's
# own management key (someone with the admin token, or another key).
data "keyservice_audit_events" "deployer" {
  project_id = "prj_0123456789abcdefghij"
  target_id  = "key_0123456789abcdefghij"
  action     = "api_key.update"
  limit      = 20
}

check "deployer_scopes_changed_only_by_ci" {
  assert {
    condition = alltrue([
      for e in data.keyservice_audit_events.deployer.events :
      !contains(keys(e.changes), "scopes") || e.actor_id == "key_ci23456789abcdefghij"
    ])
    error_message = "The deployer key's scopes were changed outside the pipeline: see the keyservice_audit_events data source."
  }
}
