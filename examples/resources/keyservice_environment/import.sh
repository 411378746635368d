# By environment ID:
terraform import keyservice_environment.production env_0123456789abcdefghij

# By project ID and environment name:
terraform import keyservice_environment.production prj_0123456789abcdefghij/production
