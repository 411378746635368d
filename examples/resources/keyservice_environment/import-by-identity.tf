# By project ID and environment name (or identity = { id = "env_…" }).
import {
  to = keyservice_environment.production
  identity = {
    project_id = "prj_0123456789abcdefghij"
    name       = "production"
  }
}
