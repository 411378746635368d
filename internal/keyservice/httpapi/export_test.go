package httpapi

// Values the e2e tests (package httpapi_test) check against.
const FailedCredentialBurst = failedCredentialBurst

var VerifyBuckets = verifyBuckets
