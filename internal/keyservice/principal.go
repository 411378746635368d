package keyservice

// principal is who an authenticated request acts for: the admin, or an API
// key holding the management scope, confined to its own project.
type principal struct {
	admin     bool
	projectID string // set for key principals
	keyID     string // set for key principals
	otp       string // the one-time code the request carries, if any (see requireOTP)
}

// adminScope lets an API key manage its own project's keys.
const adminScope = "keys:admin"

// idempotencyScope separates Idempotency-Key namespaces between callers.
func (p principal) idempotencyScope() string {
	if p.admin {
		return "admin"
	}
	return "key:" + p.keyID
}

func (p principal) kind() string {
	if p.admin {
		return "admin"
	}
	return "api_key"
}

func (p principal) mayAccessProject(projectID string) error {
	if p.admin || p.projectID == projectID {
		return nil
	}
	return forbidden("this credential may only access project %s", p.projectID)
}

func (p principal) mustBeAdmin() error {
	if p.admin {
		return nil
	}
	return forbidden("this operation requires the admin token")
}
