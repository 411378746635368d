import {
  to = keyservice_project.payments
  identity = {
    id = "prj_0123456789abcdefghij"
  }
}
