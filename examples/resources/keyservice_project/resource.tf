resource "keyservice_project" "payments" {
  name        = "payments"
  description = "Keys of the payments team"
}
