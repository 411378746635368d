# By key ID:
terraform import keyservice_api_key.deployer key_0123456789abcdefghij

# By project ID and key name:
terraform import keyservice_api_key.deployer prj_0123456789abcdefghij/ci-deployer
