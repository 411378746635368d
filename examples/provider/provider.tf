provider "keyservice" {
  endpoint        = "http://127.0.0.1:8080" # or KEYSERVICE_ENDPOINT
  project_id      = "prj_0123456789abcdefghij"
  max_retries     = 4
  request_timeout = "30s"
  # token is best given through KEYSERVICE_TOKEN, so it is in no file.
}
