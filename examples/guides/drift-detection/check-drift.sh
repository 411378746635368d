#!/usr/bin/env bash
# Fails (exit 1) when the keys differ from the configuration, and prints the plan that says how.
# Run it in the directory of the configuration, with KEYSERVICE_ENDPOINT and KEYSERVICE_TOKEN set.
set -uo pipefail

terraform plan -detailed-exitcode -input=false -no-color -out=drift.tfplan >plan.log 2>&1
code=$?
case $code in
  0)
    echo "No drift: the keys match the configuration."
    ;;
  2)
    echo "Drift: the keys differ from the configuration. The plan:"
    terraform show -no-color drift.tfplan
    grep -A4 '^Warning: ' plan.log || true # what the provider found, e.g. a key revoked outside Terraform
    exit 1
    ;;
  *)
    echo "terraform plan failed (exit code $code):"
    cat plan.log
    exit "$code"
    ;;
esac
