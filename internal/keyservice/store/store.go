// Package store defines the persistence boundary of the key service. The
// server depends only on the Store interface so that the embedded SQLite
// implementation and a shared PostgreSQL implementation are interchangeable.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every implementation returns (wrapped with %w) so callers
// can branch with errors.Is.
var (
	// ErrNotFound means the addressed row does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a unique constraint was violated, or a conditional
	// write found the row no longer in the state the caller expected.
	ErrConflict = errors.New("store: conflict")
)

// Store is the full persistence interface of the key service. Times passed in
// and returned are UTC; implementations keep at least microsecond precision.
type Store interface {
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	// Close releases all resources.
	Close() error

	ProjectStore
	ServiceAccountStore
	EnvironmentStore
	APIKeyStore
	IdempotencyStore
	AuditStore
	OutboxStore
	OTPStore
}

// ProjectStore persists projects.
type ProjectStore interface {
	// CreateProject inserts p. A live project with the same name gives ErrConflict.
	CreateProject(ctx context.Context, p Project, ch Changes) error
	// GetProject returns the project, including soft-deleted ones (DeletedAt set).
	GetProject(ctx context.Context, id string) (Project, error)
	// ListProjects returns live projects ordered by (created_at, id).
	ListProjects(ctx context.Context, f ProjectFilter) ([]Project, error)
	// UpdateProject writes name, description, events_webhook_url and updated_at of a live
	// project.
	UpdateProject(ctx context.Context, p Project, ch Changes) error
	// DeleteProject soft-deletes a live project together with its live
	// service accounts and environments, and revokes all of its unrevoked
	// keys, in one transaction.
	DeleteProject(ctx context.Context, id string, at time.Time, ch Changes) error
	// SetProjectWebhookSecret replaces the sealed webhook signing secret of a
	// live project (ErrNotFound otherwise).
	SetProjectWebhookSecret(ctx context.Context, id string, sealed []byte, at time.Time, ch Changes) error
	// SetProjectOTPSecret replaces the sealed TOTP secret of a live project,
	// and clears its last accepted time step (see OTPStore.ConsumeOTPStep);
	// nil turns one-time codes off (ErrNotFound if the project is not live).
	SetProjectOTPSecret(ctx context.Context, id string, sealed []byte, at time.Time, ch Changes) error
}

// ServiceAccountStore persists service accounts.
type ServiceAccountStore interface {
	// CreateServiceAccount inserts a. A live service account with the same
	// name in the project gives ErrConflict.
	CreateServiceAccount(ctx context.Context, a ServiceAccount, ch Changes) error
	// GetServiceAccount returns the account, including a deleted one
	// (DeletedAt set).
	GetServiceAccount(ctx context.Context, id string) (ServiceAccount, error)
	// GetServiceAccountByName returns the live account of that name in the
	// project, or ErrNotFound.
	GetServiceAccountByName(ctx context.Context, projectID, name string) (ServiceAccount, error)
	// ListServiceAccounts returns live accounts of one project.
	ListServiceAccounts(ctx context.Context, f ServiceAccountFilter) ([]ServiceAccount, error)
	// UpdateServiceAccount writes name, description, active and updated_at of
	// a live account: ErrNotFound if it is not live, ErrConflict if another
	// live account of the project holds the name.
	UpdateServiceAccount(ctx context.Context, a ServiceAccount, ch Changes) error
	// DeleteServiceAccount soft-deletes a live account and revokes all of its
	// unrevoked keys in one transaction; ErrNotFound if it is not live.
	DeleteServiceAccount(ctx context.Context, id string, at time.Time, ch Changes) error
}

// EnvironmentStore persists environments.
type EnvironmentStore interface {
	// CreateEnvironment inserts e. A live environment with the same name in
	// the project gives ErrConflict.
	CreateEnvironment(ctx context.Context, e Environment, ch Changes) error
	// GetEnvironment returns the environment, including a deleted one.
	GetEnvironment(ctx context.Context, id string) (Environment, error)
	// ListEnvironments returns live environments of one project ordered by
	// (created_at, id).
	ListEnvironments(ctx context.Context, f EnvironmentFilter) ([]Environment, error)
	// UpdateEnvironment writes name, description and updated_at of a live
	// environment: ErrNotFound if it is not live, ErrConflict on a taken name.
	UpdateEnvironment(ctx context.Context, e Environment, ch Changes) error
	// DeleteEnvironment soft-deletes a live environment (ErrNotFound
	// otherwise). While a key that can still authenticate at `at` is bound to
	// it (not revoked, and not replaced or replaced but inside its grace
	// period) it gives ErrConflict and changes nothing; the check and the
	// delete are one transaction, so no key can be bound in between.
	DeleteEnvironment(ctx context.Context, id string, at time.Time, ch Changes) error
}

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// CreateAPIKey inserts k. A live key with the same name in the project
	// gives ErrConflict. A ServiceAccountID or EnvironmentID that does not
	// name a live service account or environment of k's project gives a
	// *MissingError naming that id; the check and the insert are one
	// transaction, so a key is never bound to something deleted meanwhile.
	CreateAPIKey(ctx context.Context, k APIKey, ch Changes) error
	GetAPIKey(ctx context.Context, id string) (APIKey, error)
	// GetCredential looks a key up by its hash together with the state of
	// what it depends on (its project, its service account), in one query:
	// it is the whole store read of a verification.
	GetCredential(ctx context.Context, keyHash string) (Credential, error)
	ListAPIKeys(ctx context.Context, f APIKeyFilter) ([]APIKey, error)
	// ListDueAPIKeys returns live keys (not revoked, not replaced, not
	// expired at f.Now) that have a rotation webhook URL and whose
	// NextRotationAt <= f.Now, ordered by (next_rotation_at, id).
	ListDueAPIKeys(ctx context.Context, f DueAPIKeyFilter) ([]APIKey, error)
	// UpdateAPIKey writes the mutable fields of a live key (not revoked, not
	// replaced) that is still at k.Version, and adds one to its Version. A key
	// that is no longer live, or was written since k was read (another
	// Version), gives ErrConflict and changes nothing. Version 0 writes
	// whatever the stored Version, for callers that did not read the key.
	UpdateAPIKey(ctx context.Context, k APIKey, ch Changes) error
	// RotateAPIKey marks old as replaced (ReplacedByKeyID, GraceExpiresAt,
	// UpdatedAt taken from old; Version+1) and inserts next, in one
	// transaction. If old is no longer live, or no longer at old.Version (0:
	// any), the whole write is refused with ErrConflict: next copies old's
	// settings, so a rotation must not race an update.
	RotateAPIKey(ctx context.Context, old APIKey, next APIKey, ch Changes) error
	// RevokeAPIKeys sets revoked_at (and Version+1) on every listed key that
	// is not revoked yet, in one transaction. An unknown id aborts the whole write with a
	// *MissingError that wraps ErrNotFound.
	RevokeAPIKeys(ctx context.Context, ids []string, at time.Time, ch Changes) error
	// TouchAPIKeys records a batch of successful uses: each listed key's
	// last_used_at becomes At unless it is already later, so batches from
	// several replicas may land in any order. Unknown ids are ignored. The
	// batch is one write (one statement on PostgreSQL), however many uses
	// it holds: the server collects uses in memory and flushes them
	// periodically, so verifying a key never writes its row.
	TouchAPIKeys(ctx context.Context, uses []KeyUse) error
	// ListExpiryEventKeys returns the live keys (not revoked, not replaced) that owe
	// f.Event for their current expires_at, ordered by (expires_at, id): expired keys
	// (expires_at <= f.Now) for ExpiryEventExpired; for ExpiryEventExpiring, keys not
	// expired at f.Now whose expires_at is not after f.Through.
	ListExpiryEventKeys(ctx context.Context, f ExpiryEventFilter) ([]APIKey, error)
	// MarkExpiryEvent notes that event was recorded for k's expires_at, with ch, in one
	// transaction; it changes neither the key's Version nor its UpdatedAt. ErrConflict, and
	// nothing written, if the key is no longer live, its expires_at is no longer
	// k.ExpiresAt, or the event was noted already for it: so each expiry has its event once,
	// across replicas.
	MarkExpiryEvent(ctx context.Context, event ExpiryEvent, k APIKey, ch Changes) error
}

// ExpiryEvent is an event owed once per key and expiry.
type ExpiryEvent string

// The expiry events.
const (
	ExpiryEventExpiring ExpiryEvent = "expiring"
	ExpiryEventExpired  ExpiryEvent = "expired"
)

// ExpiryEventFilter selects the keys that owe an expiry event.
type ExpiryEventFilter struct {
	Event   ExpiryEvent
	Now     time.Time
	Through time.Time // ExpiryEventExpiring only
	After   *Cursor   // (Time: expires_at, ID), exclusive
	Limit   int
}

// KeyUse is the latest successful verification of a key seen by a server
// since its last flush.
type KeyUse struct {
	ID string
	At time.Time
}

// IdempotencyStore persists recorded responses of idempotent POSTs.
type IdempotencyStore interface {
	GetIdempotencyRecord(ctx context.Context, principal, key string) (IdempotencyRecord, error)
	// PutIdempotencyRecord inserts a record; an existing one gives ErrConflict.
	PutIdempotencyRecord(ctx context.Context, rec IdempotencyRecord) error
	DeleteIdempotencyRecord(ctx context.Context, principal, key string) error
	// DeleteExpiredIdempotencyRecords removes records with ExpiresAt <= now.
	DeleteExpiredIdempotencyRecords(ctx context.Context, now time.Time) (int64, error)
}

// OTPStore keeps what checking one-time codes needs on every replica alike:
// which time step of a project's codes was accepted last, so each code is
// accepted once, and how many codes each credential got wrong, so guessing
// is limited per project and credential rather than per client address.
type OTPStore interface {
	// ConsumeOTPStep makes step the last accepted time step of the live
	// project, if it is later than the last one, in one conditional write,
	// and reports whether it did: false when a code of that step or of a
	// later one was accepted before, by any replica.
	ConsumeOTPStep(ctx context.Context, projectID string, step int64) (bool, error)
	// OTPFailures returns the count of failed codes of credential on the
	// project, as RecordOTPFailure left it; the zero value if there is none.
	OTPFailures(ctx context.Context, projectID, credential string) (OTPFailures, error)
	// RecordOTPFailure counts one more failed code of credential on the
	// project, in one write, and returns the new count: in the current
	// window, or, when there is none or it started at or before notBefore,
	// in a new one that starts at `at` with a count of 1.
	RecordOTPFailure(ctx context.Context, projectID, credential string, at, notBefore time.Time) (OTPFailures, error)
	// ForgiveOTPFailure takes back one failure counted in the window that
	// started at windowStart, if that window is still the current one and
	// its count is above zero (a code counted before it was checked, and
	// found right).
	ForgiveOTPFailure(ctx context.Context, projectID, credential string, windowStart time.Time) error
}

// OTPFailures counts the failed one-time codes of one credential on one
// project since WindowStart.
type OTPFailures struct {
	Count       int
	WindowStart time.Time
}

// MissingError names the id that a multi-row write could not find.
type MissingError struct{ ID string }

func (e *MissingError) Error() string { return "store: not found: " + e.ID }

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *MissingError) Unwrap() error { return ErrNotFound }

// Project is a tenant boundary: keys belong to exactly one project.
type Project struct {
	ID          string
	Name        string
	Description string
	// WebhookSecret is the project's webhook signing secret sealed by the
	// server (AES-GCM); the store keeps it opaque. Nil for projects created
	// before signing secrets existed.
	WebhookSecret []byte
	// OTPSecret is the project's TOTP secret sealed by the server; nil when
	// the project does not require one-time codes.
	OTPSecret []byte
	// EventsWebhookURL receives the project's lifecycle events; nil sends none.
	EventsWebhookURL *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	DeletedAt        *time.Time
}

// ServiceAccount is a non-human identity of a project that owns API keys.
// While it is inactive, or once deleted, none of its keys verifies.
type ServiceAccount struct {
	ID          string
	ProjectID   string
	Name        string
	Description string
	Active      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   *time.Time
}

// ServiceAccountFilter selects and orders live service accounts of one
// project. Nil pointers mean "no filter". SortBy is SortByCreatedAt or
// SortByName; ties break on id.
type ServiceAccountFilter struct {
	ProjectID  string
	Name       *string
	NamePrefix *string
	Active     *bool
	SortBy     APIKeySort
	Descending bool
	After      *Cursor
	Limit      int
}

// Environment is a named deployment stage of a project (production,
// staging, …) that keys may be bound to.
type Environment struct {
	ID          string
	ProjectID   string
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   *time.Time
}

// EnvironmentFilter selects a page of live environments of one project.
type EnvironmentFilter struct {
	ProjectID string
	Name      *string
	After     *Cursor // (created_at, id), exclusive
	Limit     int
}

// Credential is a key with the state of what it depends on, as read by
// GetCredential.
type Credential struct {
	Key APIKey
	// ProjectLive is false when the key's project is deleted.
	ProjectLive bool
	// ServiceAccountUsable is false when the key has a service account that
	// is deleted or inactive; true for keys without one.
	ServiceAccountUsable bool
}

// DueAPIKeyFilter selects keys due for scheduled rotation.
type DueAPIKeyFilter struct {
	Now   time.Time
	After *Cursor // (next_rotation_at in Time, id), exclusive
	Limit int
}

// ProjectFilter selects a page of live projects ordered by (created_at, id).
type ProjectFilter struct {
	After *Cursor // exclusive lower bound
	Limit int
}

// HashVersionHMACSHA256 identifies KeyHash = hex(HMAC-SHA-256(pepper, key)).
const HashVersionHMACSHA256 = 1

// APIKey is a stored key. The secret itself is never stored, only KeyHash.
type APIKey struct {
	ID                   string
	ProjectID            string
	ServiceAccountID     *string
	EnvironmentID        *string
	Name                 string
	Description          string
	KeyPrefix            string
	KeyHash              string
	HashVersion          int
	Scopes               []string
	Active               bool
	ExpiresAt            *time.Time
	LastUsedAt           *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
	RevokedAt            *time.Time
	ReplacedByKeyID      *string
	GraceExpiresAt       *time.Time
	RotationIntervalDays *int
	NextRotationAt       *time.Time
	RotationWebhookURL   *string
	// Version counts the writes to the key (update, rotation, revocation; not a
	// use): it is the API's ETag. A new key has Version 1.
	Version int64
}

// APIKeySort is the column a key list is ordered by; ties break on id.
type APIKeySort string

// Sort orders supported by ListAPIKeys.
const (
	SortByCreatedAt APIKeySort = "created_at"
	SortByName      APIKeySort = "name"
	// SortByExpiresAt orders keys without expiry after all others.
	SortByExpiresAt APIKeySort = "expires_at"
)

// Cursor is the position after which a page starts: the sort value of the
// last row returned (Time for time sorts, with Null for a null expires_at;
// String for name) and its id.
type Cursor struct {
	Time   time.Time
	Null   bool
	String string
	ID     string
}

// APIKeyFilter selects and orders keys of one project. Nil pointers mean
// "no filter".
type APIKeyFilter struct {
	ProjectID        string
	Name             *string
	NamePrefix       *string
	Active           *bool
	Scope            *string
	IncludeRevoked   bool // include revoked and replaced keys
	ExpiresBefore    *time.Time
	ServiceAccountID *string
	EnvironmentID    *string
	SortBy           APIKeySort
	Descending       bool
	After            *Cursor
	Limit            int
}

// IdempotencyRecord is the remembered outcome of a POST carrying an
// Idempotency-Key. Body is ciphertext: responses may contain key secrets.
type IdempotencyRecord struct {
	Principal   string
	Key         string
	RequestHash []byte
	Status      int
	Body        []byte
	// Projects are the ids of the projects the recorded request changed
	// (empty when it changed none): a replay is authorised for them again.
	Projects  []string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PoolStats describes a store's connection pool at one moment, for metrics.
type PoolStats struct {
	MaxConns  int // the most connections the pool opens
	OpenConns int
	InUse     int
	Idle      int
	// WaitCount and WaitDuration add up the waits for a free connection since the pool opened.
	WaitCount    int64
	WaitDuration time.Duration
}

// Pool is implemented by a store with a connection pool (both stores are).
type Pool interface {
	PoolStats() PoolStats
}

// CursorAfter is the cursor of the page that follows a page, ordered by s, whose last row is k.
func (s APIKeySort) CursorAfter(k APIKey) Cursor {
	c := Cursor{ID: k.ID}
	switch s {
	case SortByName:
		c.String = k.Name
	case SortByExpiresAt:
		if k.ExpiresAt == nil {
			c.Null = true
		} else {
			c.Time = *k.ExpiresAt
		}
	default:
		c.Time = k.CreatedAt
	}
	return c
}
