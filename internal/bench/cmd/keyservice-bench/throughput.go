package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keyservice/terraform-provider-keyservice/internal/bench/seed"
	"github.com/keyservice/terraform-provider-keyservice/internal/client"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	_ "github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite" // the "sqlite" database/sql driver, for seeding
)

// writesPerSecond is the steady write load beside which verify is measured again: unrelated
// project updates, as busy teams make all day.
const writesPerSecond = 8

// wrkConns is the connections of every maximum-rate run.
const wrkConns = 32

// roundLength is one turn of a target in the interleaved runs; underWrites names the verify
// turns taken beside the write load.
const (
	roundLength = 2 * time.Second
	underWrites = " under writes"
)

// medianRun is the run with the median rate.
func medianRun(runs []wrkRun) wrkRun {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b wrkRun) int { return cmp.Compare(a.rate, b.rate) })
	return runs[len(runs)/2]
}

// throughput is what the store benchmark measured on one store.
type throughput struct {
	store    string // "SQLite", "PostgreSQL"
	replicas int
	create   loadResult
	keys     int
	// peak: "hello", "healthz", "verify", "verify under writes" at their maximum rate; half: the
	// same targets paced to about half of verify's maximum.
	peak, half   map[string]wrkRun
	writesDone   int // project updates made during "verify under writes"
	lists        map[string]listTiming
	bytesPerKey  float64
	growth       *growth
	explain      map[string]string // PostgreSQL's plans of the list queries at the grown size
	halfDelay    time.Duration
	halfConns    int
	verifyTarget string // which replica verify was measured on
}

// growth is the same measurements with the store grown to many more keys.
type growth struct {
	keys          int
	seedTime      time.Duration
	verify, hello wrkRun // hello: the floor measured again beside it
	lists         map[string]listTiming
	bytesPerKey   float64
}

// listTiming is the median latency of one page (100 keys) of a list, the first one and one deep
// in it (the 5th).
type listTiming struct {
	first, deep time.Duration
	found       int
}

// listQueries are the list pages timed, by name: the filters and sorts issue 19 names.
var listQueries = []struct{ name, query string }{
	{"all", ""},
	{"include_revoked", "include_revoked=true"},
	{"name_prefix", "name_prefix=load-001"},
	{"active=false", "active=false"},
	{"scope", "scope=deploy:write"},
	{"expires_before", "expires_before=" + time.Now().UTC().Add(30*24*time.Hour).Format(time.RFC3339)},
	{"sort_by=expires_at", "sort_by=expires_at"},
	{"sort_by=name, include_revoked", "sort_by=name&include_revoked=true"},
}

// measureThroughput runs the store benchmark on one store: database is a SQLite path or a
// postgres:// URL; with PostgreSQL, replicas servers share it and verify is measured on the
// first.
func measureThroughput(ctx context.Context, o options, dir, database string) (*throughput, error) {
	pg := strings.HasPrefix(database, "postgres")
	t := &throughput{store: "SQLite", replicas: 1, peak: map[string]wrkRun{}, half: map[string]wrkRun{}}
	if pg {
		t.store, t.replicas = "PostgreSQL", o.replicas
	}
	creds, err := newServerCredentials()
	if err != nil {
		return nil, err
	}
	hello, err := startHellod(o.hellod)
	if err != nil {
		return nil, err
	}
	defer hello.Stop()
	servers := make([]*keyserviced, t.replicas)
	defer func() {
		for _, ks := range servers {
			if ks != nil {
				ks.Stop()
			}
		}
	}()
	for i := range servers {
		// The measured server shares the servers' core with the floor; the other replicas are
		// idle but for their leases.
		if servers[i], err = startKeyserviced(o.keyserviced, database, dir, creds, i == 0); err != nil {
			return nil, err
		}
	}
	ks := servers[0]
	t.verifyTarget = ks.URL

	runID := time.Now().Format("150405")
	project, err := ks.Client.CreateProject(ctx, client.CreateProjectRequest{Name: "bench-store-" + runID})
	if err != nil {
		return nil, err
	}
	log("creating %d keys on %s with %d workers", o.keys, t.store, o.workers)
	created, err := createKeys(ctx, ks, project.ID, "load", o.keys, o.workers)
	if err != nil {
		return nil, err
	}
	t.create, t.keys = created.load, len(created.keys)
	secrets := make([]string, 0, o.verifyKeys)
	for _, k := range created.keys[:min(o.verifyKeys, len(created.keys))] {
		secrets = append(secrets, k.Key)
	}
	getScript, verifyScript, err := writeScripts(dir, secrets)
	if err != nil {
		return nil, err
	}
	targets := func(ks *keyserviced) map[string]wrkTarget {
		return map[string]wrkTarget{
			"hello":   {"GET / (bare net/http)", hello.URL + "/", getScript},
			"healthz": {"GET /healthz", ks.URL + "/healthz", getScript},
			"verify":  {"POST /v1/verify", ks.URL + "/v1/verify", verifyScript},
		}
	}
	tg := targets(ks)
	measure := func(label, name string, conns int, d, delay time.Duration) (wrkRun, error) {
		r, err := tg[name].run(ctx, o.wrk, conns, d, delay)
		if err == nil {
			log("  %-22s %-24s %s", label, tg[name].name, r)
			if r.errors > 0 {
				err = fmt.Errorf("%s %s: %d failed requests", label, name, r.errors)
			}
		}
		return r, err
	}
	// A short run of each first: connections, caches and the Go runtime settle.
	for _, name := range []string{"hello", "healthz", "verify"} {
		if _, err := measure("warm-up", name, wrkConns, 2*time.Second, 0); err != nil {
			return nil, err
		}
	}
	// The targets take turns in short runs, round after round, and each target's median run is
	// kept: a change in the machine's load (other jobs share it) then hits every target alike,
	// where one long run each would put it all on one of them.
	rounds := max(1, int(o.duration/roundLength))
	interleaved := func(label string, names []string, conns int, delay time.Duration, around func(name string, run func() error) error) (map[string]wrkRun, error) {
		runs := map[string][]wrkRun{}
		for range rounds {
			for _, name := range names {
				err := around(name, func() error {
					r, err := measure(label, strings.TrimSuffix(name, underWrites), conns, roundLength, delay)
					runs[name] = append(runs[name], r)
					return err
				})
				if err != nil {
					return nil, err
				}
			}
		}
		out := map[string]wrkRun{}
		for name, rs := range runs {
			out[name] = medianRun(rs)
		}
		return out, nil
	}
	// The write load: 8 project updates a second through another server (PostgreSQL) or the
	// same, while the "verify under writes" turns run.
	writer := servers[len(servers)-1]
	other, err := writer.Client.CreateProject(ctx, client.CreateProjectRequest{Name: "bench-writes-" + runID})
	if err != nil {
		return nil, err
	}
	withWrites := func(name string, run func() error) error {
		if !strings.HasSuffix(name, underWrites) {
			return run()
		}
		stop, wrote := make(chan struct{}), make(chan error, 1)
		go func() {
			tick := time.NewTicker(time.Second / writesPerSecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					wrote <- nil
					return
				case <-tick.C:
					desc := fmt.Sprintf("write %d", t.writesDone)
					if _, err := writer.Client.UpdateProject(ctx, other.ID, client.UpdateProjectRequest{Description: &desc}); err != nil {
						wrote <- err
						return
					}
					t.writesDone++
				}
			}
		}()
		err := run()
		close(stop)
		if werr := <-wrote; err == nil {
			err = werr
		}
		return err
	}
	log("verify load test on %s with wrk: %d rounds of %s", t.store, rounds, roundLength)
	if t.peak, err = interleaved("max", []string{"hello", "healthz", "verify", "verify" + underWrites}, wrkConns, 0, withWrites); err != nil {
		return nil, err
	}

	t.halfDelay, t.halfConns = halfLoad(t.peak["verify"])
	// Timers fire late on a busy machine: a short paced run says what rate the estimate gives,
	// and the connections are scaled to reach half of verify's maximum.
	calib, err := measure("calibrate", "verify", t.halfConns, 2*time.Second, t.halfDelay)
	if err != nil {
		return nil, err
	}
	if calib.rate > 0 {
		t.halfConns = min(512, max(1, int(float64(t.halfConns)*t.peak["verify"].rate/2/calib.rate+0.5)))
	}
	plain := func(_ string, run func() error) error { return run() }
	if t.half, err = interleaved("half", []string{"hello", "healthz", "verify"}, t.halfConns, t.halfDelay, plain); err != nil {
		return nil, err
	}
	if t.lists, err = timeLists(ctx, ks, project.ID); err != nil {
		return nil, err
	}
	size, err := storeSize(ctx, database)
	if err != nil {
		return nil, err
	}
	t.bytesPerKey = float64(size) / float64(t.keys)

	if o.growth <= t.keys {
		return t, nil
	}
	g := &growth{keys: o.growth}
	fill := o.growth - t.keys
	log("growing %s to %d keys (%d more, straight through SQL)", t.store, o.growth, fill)
	start := time.Now()
	base := time.Now().UTC().Add(-24 * time.Hour)
	if pg {
		pool, err := pgxpool.New(ctx, database)
		if err != nil {
			return nil, err
		}
		err = seed.Postgres(ctx, pool, project.ID, fill, base)
		pool.Close()
		if err != nil {
			return nil, err
		}
	} else {
		// One writer per SQLite file: the server stops while the keys go in, and comes back on
		// the same file with the same secret, so the keys it issued still verify.
		for i, s := range servers {
			s.Stop()
			servers[i] = nil
		}
		db, err := sql.Open("sqlite", "file:"+database+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			return nil, err
		}
		err = seed.SQLite(ctx, db, project.ID, fill, base)
		db.Close()
		if err != nil {
			return nil, err
		}
		if servers[0], err = startKeyserviced(o.keyserviced, database, dir, creds, true); err != nil {
			return nil, err
		}
		ks = servers[0]
		tg = targets(ks)
	}
	g.seedTime = time.Since(start)
	log("  seeded in %s", g.seedTime.Round(time.Second))
	if _, err := measure("warm-up", "verify", wrkConns, 2*time.Second, 0); err != nil {
		return nil, err
	}
	grown, err := interleaved("max, grown", []string{"hello", "verify"}, wrkConns, 0, plain)
	if err != nil {
		return nil, err
	}
	g.verify, g.hello = grown["verify"], grown["hello"]
	if g.lists, err = timeLists(ctx, ks, project.ID); err != nil {
		return nil, err
	}
	if size, err = storeSize(ctx, database); err != nil {
		return nil, err
	}
	g.bytesPerKey = float64(size) / float64(g.keys)
	t.growth = g
	if pg {
		if t.explain, err = explainLists(ctx, database, project.ID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// timeLists times each list page through the HTTP API, the median of 15.
func timeLists(ctx context.Context, ks *keyserviced, projectID string) (map[string]listTiming, error) {
	out := map[string]listTiming{}
	for _, q := range listQueries {
		var firsts, deeps []time.Duration
		found := 0
		for range 15 {
			token := ""
			for page := 1; page <= 5; page++ {
				u := ks.URL + "/v1/api-keys?project_id=" + url.QueryEscape(projectID) + "&page_size=100"
				if q.query != "" {
					u += "&" + q.query
				}
				if token != "" {
					u += "&page_token=" + url.QueryEscape(token)
				}
				start := time.Now()
				var body struct {
					Items         []json.RawMessage `json:"items"`
					NextPageToken string            `json:"next_page_token"`
				}
				if err := getJSON(ctx, ks, u, &body); err != nil {
					return nil, fmt.Errorf("list %s: %w", q.name, err)
				}
				took := time.Since(start)
				switch page {
				case 1:
					firsts = append(firsts, took)
					found = len(body.Items)
				case 5:
					deeps = append(deeps, took)
				}
				if body.NextPageToken == "" {
					break
				}
				token = body.NextPageToken
			}
		}
		out[q.name] = listTiming{first: medianDuration(firsts), deep: medianDuration(deeps), found: found}
	}
	return out, nil
}

func getJSON(ctx context.Context, ks *keyserviced, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+ks.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// storeSize is the bytes the store takes: the SQLite file and its write-ahead log, or the
// PostgreSQL tables of keys with their indexes.
func storeSize(ctx context.Context, database string) (int64, error) {
	if strings.HasPrefix(database, "postgres") {
		pool, err := pgxpool.New(ctx, database)
		if err != nil {
			return 0, err
		}
		defer pool.Close()
		var n int64
		err = pool.QueryRow(ctx, `SELECT pg_total_relation_size('api_keys') + pg_total_relation_size('api_key_scopes')`).Scan(&n)
		return n, err
	}
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(database + suffix); err == nil {
			total += st.Size()
		}
	}
	return total, nil
}

// explainLists is PostgreSQL's plan of each list page's query, on the grown store.
func explainLists(ctx context.Context, database, projectID string) (map[string]string, error) {
	st, err := postgres.Open(ctx, database)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	before := time.Now().UTC().Add(30 * 24 * time.Hour)
	prefix, no, scope := "load-001", false, "deploy:write"
	out := map[string]string{}
	for name, f := range map[string]store.APIKeyFilter{
		"all":                           {},
		"include_revoked":               {IncludeRevoked: true},
		"name_prefix":                   {NamePrefix: &prefix},
		"active=false":                  {Active: &no},
		"scope":                         {Scope: &scope},
		"expires_before":                {ExpiresBefore: &before},
		"sort_by=expires_at":            {SortBy: store.SortByExpiresAt},
		"sort_by=name, include_revoked": {SortBy: store.SortByName, IncludeRevoked: true},
	} {
		f.ProjectID, f.Limit = projectID, 101
		if out[name], err = st.ExplainListAPIKeys(ctx, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func log(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
