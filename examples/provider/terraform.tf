terraform {
  required_providers {
    keyservice = {
      source = "keyservice/keyservice"
    }
  }
}
