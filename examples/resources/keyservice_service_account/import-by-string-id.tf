# By service account ID, or by "<project ID>/<name>" as here.
import {
  to = keyservice_service_account.ci
  id = "prj_0123456789abcdefghij/ci"
}
