import {
  to = keyservice_project.payments
  id = "prj_0123456789abcdefghij"
}
