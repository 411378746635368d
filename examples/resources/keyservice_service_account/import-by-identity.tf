# By project ID and service account name (or identity = { id = "sa_…" }).
import {
  to = keyservice_service_account.ci
  identity = {
    project_id = "prj_0123456789abcdefghij"
    name       = "ci"
  }
}
