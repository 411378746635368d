package keyservice

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The management scopes: what an API key may do to its own project, each including the rights
// of the one before. A key holding none of them is a valid credential with no right to manage
// anything.
const (
	// ScopeRead reads everything of the project (never a secret): what a drift job needs.
	ScopeRead = "keys:read"
	// ScopeWrite also creates, updates, rotates, disables and revokes the project's keys.
	ScopeWrite = "keys:write"
	// ScopeAdmin also manages service accounts, environments and the project's settings and
	// webhook signing secret.
	ScopeAdmin = "keys:admin"
)

// Right is what an operation needs of the principal that asks for it.
type Right int

// The rights, each including the ones before it.
const (
	RightRead     Right = iota + 1 // ScopeRead
	RightWrite                     // ScopeWrite
	RightAdmin                     // ScopeAdmin
	RightOperator                  // the admin token alone: projects, one-time-code enrolment, metrics
)

// managementScopes lists the scopes of RightRead, RightWrite and RightAdmin, in that order.
var managementScopes = [...]string{ScopeRead, ScopeWrite, ScopeAdmin}

// Scope is the management scope that grants r; "" for RightOperator, which no scope grants.
func (r Right) Scope() string {
	if r >= RightRead && r <= RightAdmin {
		return managementScopes[r-RightRead]
	}
	return ""
}

// String names r as the docs do: a scope, or "the admin token".
func (r Right) String() string {
	if s := r.Scope(); s != "" {
		return s
	}
	return "the admin token"
}

// rightOfScope is the right a management scope grants; 0 for any other scope.
func rightOfScope(scope string) Right {
	if i := slices.Index(managementScopes[:], scope); i >= 0 {
		return RightRead + Right(i)
	}
	return 0
}

// Principal is who acts: the admin, or an API key confined to its own project, with the rights
// of its management scopes and under the ceiling of its scopes and expiry. Only Authenticate
// makes one.
type Principal struct {
	admin     bool
	projectID string // set for key principals
	keyID     string // set for key principals
	keyName   string // set for key principals: the audit trail names the actor
	right     Right  // the highest right of a key principal's management scopes; 0 for none
	scopes    []string
	expiresAt *time.Time
	otp       string // the one-time code the request carries, if any (see stepUp)
	origin    Origin // where the request comes from, for the audit trail
	// writes, when set, collects the projects this request was allowed to change (see
	// Idempotent: a replay of its answer is authorised for the same projects again).
	writes *writeLog
}

// Origin is where a request comes from, as the audit trail records it: the request id the
// API answered with and the client's address.
type Origin struct {
	RequestID     string
	ClientAddress string
}

// Authenticate turns a bearer token into a principal: the admin token, or any usable API key.
// What the key may do is decided per operation (Require); anything else is ErrUnauthorized.
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
	p := Principal{projectID: k.ProjectID, keyID: k.ID, keyName: k.Name, scopes: slices.Clone(k.Scopes), expiresAt: k.ExpiresAt}
	for _, scope := range k.Scopes {
		p.right = max(p.right, rightOfScope(scope))
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

// credential names the credential for what is kept per credential: idempotency records and
// the count of failed one-time codes.
func (p Principal) credential() string {
	if p.admin {
		return "admin"
	}
	return "key:" + p.keyID
}

// Require refuses a principal without the right r: 403, naming the scope it lacks. It depends
// on the principal alone, never on what the request addresses.
func (p Principal) Require(r Right) error {
	switch {
	case p.admin:
		return nil
	case r == RightOperator:
		return &Error{Kind: KindForbidden, Message: "this operation needs the admin token; no API key may do it"}
	case p.right >= r:
		return nil
	}
	held := "holds no management scope"
	if p.right > 0 {
		held = "'s highest management scope is " + p.right.Scope()
	}
	return &Error{Kind: KindForbidden, RequiredScope: r.Scope(), Message: fmt.Sprintf(
		"this operation needs an API key with the %s scope%s; this key%s", r.Scope(), r.includedBy(), held)}
}

// includedBy names the management scopes above r, which include it: " (keys:admin includes it)".
func (r Right) includedBy() string {
	var above []string
	for higher := r + 1; higher <= RightAdmin; higher++ {
		above = append(above, higher.Scope())
	}
	switch len(above) {
	case 0:
		return ""
	case 1:
		return " (" + above[0] + " includes it)"
	}
	return " (" + strings.Join(above, " and ") + " include it)"
}

// MustBeAdmin refuses every principal but the admin.
func (p Principal) MustBeAdmin() error { return p.Require(RightOperator) }

// reaches reports whether the principal may see the project at all. Callers answer a project
// it does not reach exactly as one that does not exist, so ids do not leak across projects.
func (p Principal) reaches(projectID string) bool {
	return p.admin || p.projectID == projectID
}

// holds reports whether a key principal holds scope: literally, or as a management scope
// below its own (keys:admin holds keys:write and keys:read).
func (p Principal) holds(scope string) bool {
	if r := rightOfScope(scope); r > 0 && r <= p.right {
		return true
	}
	return slices.Contains(p.scopes, scope)
}

// withinCeiling refuses a key principal a key that would hold more than the principal itself:
// a scope it does not hold, or an expiry later than its own (or none, when it expires). The
// admin token is not bound. This is checked on what a create, update or rotation results in,
// so no principal can widen itself either.
func (p Principal) withinCeiling(scopes []string, expiresAt *time.Time) error {
	if p.admin {
		return nil
	}
	for i, scope := range scopes {
		if !p.holds(scope) {
			return beyondCeiling(fmt.Sprintf("scopes[%d]", i),
				"this API key does not hold the scope %s: it can only create, change or rotate keys whose scopes it holds itself", scope)
		}
	}
	switch {
	case p.expiresAt == nil:
	case expiresAt == nil:
		return beyondCeiling("expires_at",
			"this API key expires at %s: it can only create, change or rotate keys that expire no later, so set expires_at (or expires_in_days)",
			FormatTime(*p.expiresAt))
	case expiresAt.After(*p.expiresAt):
		return beyondCeiling("expires_at",
			"must be no later than %s, when this API key expires: it can only create, change or rotate keys that expire no later",
			FormatTime(*p.expiresAt))
	}
	return nil
}

// writeLog collects the projects a request was allowed to change.
type writeLog struct{ projects []string }

func (w *writeLog) add(projectID string) {
	if w != nil && !slices.Contains(w.projects, projectID) {
		w.projects = append(w.projects, projectID)
	}
}

// loggingWrites returns p recording the projects it is allowed to change into w.
func (p Principal) loggingWrites(w *writeLog) Principal {
	p.writes = w
	return p
}
