# By environment ID, or by "<project ID>/<name>" as here.
import {
  to = keyservice_environment.production
  id = "prj_0123456789abcdefghij/production"
}
