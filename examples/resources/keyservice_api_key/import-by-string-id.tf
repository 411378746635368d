# By key ID, or by "<project ID>/<key name>" as here. The secret is not known
# after an import: the key attribute stays null until the next rotation.
import {
  to = keyservice_api_key.deployer
  id = "prj_0123456789abcdefghij/ci-deployer"
}
