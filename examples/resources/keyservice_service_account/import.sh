# By service account ID:
terraform import keyservice_service_account.ci sa_0123456789abcdefghij

# By project ID and service account name:
terraform import keyservice_service_account.ci prj_0123456789abcdefghij/ci
