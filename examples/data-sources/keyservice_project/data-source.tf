data "keyservice_project" "payments" {
  name = "payments"
}
