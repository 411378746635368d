# By project ID and key name (or identity = { id = "key_…" }).
import {
  to = keyservice_api_key.deployer
  identity = {
    project_id = "prj_0123456789abcdefghij"
    name       = "ci-deployer"
  }
}
