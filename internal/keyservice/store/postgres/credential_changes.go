package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// How replicas keep verifications in memory and a revocation still holds everywhere at once
// (store.CredentialChanges):
//
//   - Every write that changes what GetCredential reads (revoke, update, rotate, a service
//     account updated or deleted, a project deleted) ends its transaction by moving the one
//     row of keyservice_credential_head to the next sequence number and sending NOTIFY with
//     that number and what changed. The row lock serialises these transactions to their
//     commits, so sequence order is commit order, which is the order LISTEN delivers in.
//   - Every replica holds a lease (a row of keyservice_replicas) and listens on a dedicated
//     connection. For each notification it drops what changed from its memory, then writes the
//     number to its row (acked_seq). It renews its lease on that same connection, so a replica
//     whose connection is gone or stalled stops renewing.
//   - The write's call returns once every replica whose lease has not run out has acknowledged
//     its number (or its lease has run out): by then none of them holds the old answer.
//   - A replica serves from memory only while its lease holds by its own clock: it counts the
//     lease from before it sent the renewal, so its own end comes before the database's. A
//     replica whose lease ran out drops all its memory before it serves from memory again: a
//     write that found its lease run out did not wait for it. When the channel breaks, the
//     replica drops everything and reads the database until it has listened and registered
//     again.
//
// The bound: a write waits at most one lease (DefaultCredentialLease) for a replica that has
// stopped answering; otherwise it waits for one notification round trip.

// DefaultCredentialLease is how long a replica may serve verifications from memory after it last
// proved its channel live.
const DefaultCredentialLease = 2 * time.Second

// maxNotifyPayload is below PostgreSQL's limit on a NOTIFY payload (8000 bytes); a larger
// change is sent as "everything".
const maxNotifyPayload = 7000

// Option configures Open.
type Option func(*options)

type options struct {
	lease time.Duration
}

// WithCredentialLease sets the lease of this replica's credential memory (see
// DefaultCredentialLease): shorter, a write waits less for a replica that stopped answering;
// longer, a replica renews less often.
func WithCredentialLease(d time.Duration) Option {
	return func(o *options) { o.lease = d }
}

var _ store.CredentialChanges = (*Store)(nil)

// ReplicaID is this store's row in keyservice_replicas; its listening connection's
// application_name is "keyserviced credentials " + ReplicaID.
func (s *Store) ReplicaID() string { return s.replica }

// channelName is the NOTIFY channel of the schema the store works in (replicas share it;
// other schemas of the same database, as tests use, do not).
func channelName(schema string) string {
	name := "keyservice_credentials_" + schema
	if len(name) > 63 { // PostgreSQL truncates identifiers at 63 bytes
		sum := sha256.Sum256([]byte(schema))
		name = "keyservice_credentials_" + hex.EncodeToString(sum[:16])
	}
	return name
}

func newReplicaID() string { return strings.ToLower(rand.Text()[:16]) }

// inTxChanging is inTx for a write that changes what verifications read: the change is
// notified in the transaction, and the call returns once every live replica has it.
func (s *Store) inTxChanging(ctx context.Context, change store.CredentialChange, fn func(tx pgx.Tx) error) error {
	var seq int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		var err error
		seq, err = s.notifyChange(ctx, tx, change)
		return err
	})
	if err != nil {
		return err
	}
	s.awaitReplicas(context.WithoutCancel(ctx), seq, time.Now())
	return nil
}

// notifyChange moves the head and sends the notification, last in the write's transaction.
func (s *Store) notifyChange(ctx context.Context, tx pgx.Tx, change store.CredentialChange) (int64, error) {
	body, err := json.Marshal(change)
	if err != nil || len(body) > maxNotifyPayload {
		body = []byte(`{"All":true}`)
	}
	var seq int64
	err = tx.QueryRow(ctx, `WITH h AS (UPDATE keyservice_credential_head SET seq = seq + 1 RETURNING seq)
		SELECT h.seq, pg_notify($1, h.seq::text || ' ' || $2) FROM h`, s.channel, string(body)).Scan(&seq, nil)
	if err != nil {
		return 0, fmt.Errorf("postgres: notify credential change: %w", err)
	}
	return seq, nil
}

// awaitReplicas returns once no replica with a lease that has not run out is behind seq. If
// the database cannot say, it waits out the lease from the commit (committed, taken after the
// commit returned): every lease renewed before the commit has run out by then, and a renewal
// after it counts only once the change is processed.
func (s *Store) awaitReplicas(ctx context.Context, seq int64, committed time.Time) {
	bound := committed.Add(s.lease)
	for pause := 200 * time.Microsecond; ; pause = min(2*pause, 10*time.Millisecond) {
		var behind bool
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM keyservice_replicas
			WHERE lease_expires_at > now() AND acked_seq < $1)`, seq).Scan(&behind)
		if err == nil && !behind {
			return
		}
		if err != nil || time.Now().After(bound.Add(s.lease)) {
			time.Sleep(time.Until(bound))
			return
		}
		time.Sleep(pause)
	}
}

// credentialWatch is this replica's listener: see the comment at the top of the file.
type credentialWatch struct {
	s       *Store
	changed func(store.CredentialChange)
	origin  time.Time // validUntil counts monotonic nanoseconds from here
	// validUntil is when this replica's lease ends by its own clock; 0 while it has none.
	validUntil atomic.Int64
	stop       context.CancelFunc
	done       chan struct{}
}

// WatchCredentials implements store.CredentialChanges: it starts this replica's listener.
func (s *Store) WatchCredentials(changed func(store.CredentialChange)) func() bool {
	ctx, cancel := context.WithCancel(context.Background())
	w := &credentialWatch{s: s, changed: changed, origin: time.Now(), stop: cancel, done: make(chan struct{})}
	s.watchMu.Lock()
	s.watch = w
	s.watchMu.Unlock()
	go w.run(ctx)
	return w.live
}

func (w *credentialWatch) now() int64 { return int64(time.Since(w.origin)) }

func (w *credentialWatch) live() bool { return w.now() < w.validUntil.Load() }

// close stops the listener and gives up the lease, so that no write waits for this replica.
func (w *credentialWatch) close() {
	w.stop()
	<-w.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = w.s.pool.Exec(ctx, `DELETE FROM keyservice_replicas WHERE id = $1`, w.s.replica)
}

func (w *credentialWatch) run(ctx context.Context) {
	defer close(w.done)
	for pause := 50 * time.Millisecond; ctx.Err() == nil; pause = min(2*pause, 2*time.Second) {
		if w.listen(ctx) {
			pause = 50 * time.Millisecond
		}
		w.down()
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

// down ends serving from memory and drops it: changes may be missed from here on.
func (w *credentialWatch) down() {
	w.validUntil.Store(0)
	w.changed(store.CredentialChange{All: true})
}

// listen runs one listening session until its connection fails or ctx ends; it reports whether
// the session got as far as serving.
func (w *credentialWatch) listen(ctx context.Context) (served bool) {
	s := w.s
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "keyserviced credentials " + s.replica
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return false
	}
	// Registering: every change up to the head is older than this session's memory, which
	// starts empty. A write in flight (its number above the head read here) sees this lease
	// and waits for this replica's acknowledgement, which comes: it listens already.
	start := w.now()
	var head int64
	err = conn.QueryRow(ctx, `WITH gone AS (DELETE FROM keyservice_replicas WHERE lease_expires_at < now() - interval '1 hour')
		INSERT INTO keyservice_replicas (id, lease_expires_at, acked_seq)
		VALUES ($1, now() + $2 * interval '1 microsecond', (SELECT seq FROM keyservice_credential_head))
		ON CONFLICT (id) DO UPDATE SET lease_expires_at = excluded.lease_expires_at, acked_seq = excluded.acked_seq
		RETURNING acked_seq`, s.replica, s.lease.Microseconds()).Scan(&head)
	if err != nil {
		return false
	}
	processed := head
	w.grant(start, true)
	served = true

	renewEvery := s.lease / 4
	nextRenewal := time.Now().Add(renewEvery)
	for {
		waitCtx, cancel := context.WithDeadline(ctx, nextRenewal)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return served
		case err != nil && waitCtx.Err() != nil && pgconn.Timeout(err):
			// Time to renew.
			start := w.now()
			if _, err := conn.Exec(ctx, `UPDATE keyservice_replicas
				SET lease_expires_at = now() + $2 * interval '1 microsecond', acked_seq = GREATEST(acked_seq, $3)
				WHERE id = $1`, s.replica, s.lease.Microseconds(), processed); err != nil {
				return served
			}
			w.grant(start, false)
			nextRenewal = time.Now().Add(renewEvery)
		case err != nil:
			return served
		default:
			seq, change, ok := parseNotification(n.Payload)
			if !ok || seq > processed+1 {
				change = store.CredentialChange{All: true} // unreadable, or one went missing
			}
			w.changed(change)
			if seq > processed {
				processed = seq
			}
			if _, err := conn.Exec(ctx, `UPDATE keyservice_replicas SET acked_seq = GREATEST(acked_seq, $2) WHERE id = $1`,
				s.replica, processed); err != nil {
				return served
			}
		}
	}
}

// grant extends the lease to start (taken before the request that won it) plus most of its
// length: the database counts it from later, so this replica's end comes first. A replica that
// had lost its lease, or that starts a session, drops its memory first: a write that found its
// lease run out did not wait for it, and may have changed anything meanwhile (and the count of
// invalidations moves, so no verification read before keeps its answer).
func (w *credentialWatch) grant(start int64, fresh bool) {
	if fresh || !w.live() {
		w.changed(store.CredentialChange{All: true})
	}
	w.validUntil.Store(start + int64(w.s.lease)*9/10)
}

// parseNotification reads "seq change-as-JSON".
func parseNotification(payload string) (int64, store.CredentialChange, bool) {
	var change store.CredentialChange
	num, body, ok := strings.Cut(payload, " ")
	if !ok {
		return 0, change, false
	}
	seq, err := strconv.ParseInt(num, 10, 64)
	if err != nil || json.Unmarshal([]byte(body), &change) != nil {
		return 0, change, false
	}
	return seq, change, true
}

// closeWatch stops the listener, if one runs.
func (s *Store) closeWatch() {
	s.watchMu.Lock()
	w := s.watch
	s.watch = nil
	s.watchMu.Unlock()
	if w != nil {
		w.close()
	}
}
