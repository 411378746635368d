package keyservice

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"strings"
)

// Principal is who acts: the admin, or an API key holding the management scope, confined to
// its own project. Only Authenticate makes one.
type Principal struct {
	admin     bool
	projectID string // set for key principals
	keyID     string // set for key principals
	keyName   string // set for key principals: the audit trail names the actor
	otp       string // the one-time code the request carries, if any (see requireOTP)
	origin    Origin // where the request comes from, for the audit trail
}

// Origin is where a request comes from, as the audit trail records it: the request id the
// API answered with and the client's address.
type Origin struct {
	RequestID     string
	ClientAddress string
}

// AdminScope lets an API key manage its own project.
const AdminScope = "keys:admin"

// Authenticate turns a bearer token into a principal: the admin token, or a usable API key
// with AdminScope. A usable key without the scope is forbidden, not unauthorized: the
// credential is valid, the right is missing; the key's principal is then returned beside the
// error, for the audit trail of the refusal (Refusal) and nothing else. Anything else is
// ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrUnauthorized
	}
	// Comparing fixed-size digests keeps the comparison constant-time even in the token's length.
	digest := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(digest[:], s.adminDigest[:]) == 1 {
		return Principal{admin: true}, nil
	}
	if !strings.HasPrefix(token, keyScheme) {
		return Principal{}, ErrUnauthorized
	}
	k, err := s.VerifyKey(ctx, token)
	if err != nil {
		return Principal{}, err
	}
	p := Principal{projectID: k.ProjectID, keyID: k.ID, keyName: k.Name}
	if !slices.Contains(k.Scopes, AdminScope) {
		return p, forbidden("API key lacks the %s scope", AdminScope)
	}
	return p, nil
}

// WithOrigin returns p acting from o: the audit events of its changes record it.
func (p Principal) WithOrigin(o Origin) Principal {
	p.origin = o
	return p
}

// WithOTP returns p carrying the one-time code its request presented, for the projects that
// require one.
func (p Principal) WithOTP(code string) Principal {
	p.otp = code
	return p
}

// String names the principal in logs: "admin" or "api_key:<id>"; "" for the zero value.
func (p Principal) String() string {
	switch {
	case p.admin:
		return "admin"
	case p.keyID != "":
		return "api_key:" + p.keyID
	}
	return ""
}

// IdempotencyScope separates Idempotency-Key namespaces between callers.
func (p Principal) idempotencyScope() string {
	if p.admin {
		return "admin"
	}
	return "key:" + p.keyID
}

func (p Principal) mayAccessProject(projectID string) error {
	if p.admin || p.projectID == projectID {
		return nil
	}
	return forbidden("this credential may only access project %s", p.projectID)
}

// MustBeAdmin refuses every principal but the admin.
func (p Principal) MustBeAdmin() error {
	if p.admin {
		return nil
	}
	return forbidden("this operation requires the admin token")
}
