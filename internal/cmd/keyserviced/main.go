// Command keyserviced runs the key service HTTP API.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/httpapi"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/postgres"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store/sqlite"
	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/webhook"
)

const shutdownTimeout = 15 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "keyserviced:", err)
		os.Exit(1)
	}
}

type options struct {
	listen          string
	database        string
	logLevel        string
	dev             bool
	verifyRateLimit float64
	rotation        rotationOptions
	events          eventsOptions
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("keyserviced", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", envOr(getenv, "KEYSERVICE_LISTEN", "127.0.0.1:8080"), "listen address (env KEYSERVICE_LISTEN)")
	fs.StringVar(&o.database, "database", envOr(getenv, "KEYSERVICE_DATABASE", "./keyservice.db"), "SQLite file path or postgres:// URL (env KEYSERVICE_DATABASE)")
	fs.StringVar(&o.logLevel, "log-level", envOr(getenv, "KEYSERVICE_LOG_LEVEL", "info"), "debug, info, warn or error (env KEYSERVICE_LOG_LEVEL)")
	fs.Float64Var(&o.verifyRateLimit, "verify-rate-limit", 50,
		"POST /v1/verify requests per second per client address (burst: 4 s worth); 0 turns it off, and with it the limit on failed "+
			"credential checks per client address (30, then 1/s): do so only behind a proxy that limits per client (env KEYSERVICE_VERIFY_RATE_LIMIT)")
	fs.BoolVar(&o.dev, "dev", false, "development mode: generate a missing admin token and server secret")
	if err := o.rotation.register(fs, getenv); err != nil {
		return options{}, err
	}
	if err := o.events.register(fs, getenv); err != nil {
		return options{}, err
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: keyserviced [flags]\n\nThe admin token is read only from KEYSERVICE_ADMIN_TOKEN and the server\nsecret (base64, >= %d bytes) only from KEYSERVICE_SERVER_SECRET.\n\n", keyservice.MinServerSecretLen)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := verifyRateLimitFromEnv(fs, getenv, &o); err != nil {
		return options{}, err
	}
	if err := o.events.validate(); err != nil {
		return options{}, err
	}
	return o, nil
}

// verifyRateLimitFromEnv applies KEYSERVICE_VERIFY_RATE_LIMIT unless the flag was given.
func verifyRateLimitFromEnv(fs *flag.FlagSet, getenv func(string) string, o *options) error {
	v := getenv("KEYSERVICE_VERIFY_RATE_LIMIT")
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "verify-rate-limit" })
	if v != "" && !given {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("KEYSERVICE_VERIFY_RATE_LIMIT: %q is not a number", v)
		}
		o.verifyRateLimit = n
	}
	if o.verifyRateLimit < 0 {
		return fmt.Errorf("verify rate limit must not be negative, got %v (0 turns it off)", o.verifyRateLimit)
	}
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// clientLimits maps --verify-rate-limit, where 0 turns the per-client limits off.
func clientLimits(verifyPerSecond float64) httpapi.ClientLimits {
	if verifyPerSecond == 0 {
		return httpapi.ClientLimits{Disabled: true}
	}
	return httpapi.ClientLimits{VerifyPerSecond: verifyPerSecond}
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("invalid log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// run starts the server and blocks until ctx ends, then shuts down.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	level, err := parseLevel(o.logLevel)
	if err != nil {
		return err
	}
	logs := newLogBuffer(stderr)
	defer func() { _ = logs.Flush() }()
	logger := slog.New(flushOnWarn{slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}), logs})

	adminToken, secret, err := credentials(o.dev, getenv, stderr, logger)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, o.database)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("closing database", "error", err.Error())
		}
	}()

	// store → domain → HTTP API; the metrics watch the store's pool and the domain's events.
	pool, _ := st.(store.Pool)
	metrics := httpapi.NewMetrics(pool)
	svc, err := keyservice.New(keyservice.Config{
		Store: st, AdminToken: adminToken, ServerSecret: secret, Logger: logger,
		RotationInterval: o.rotation.interval, RotationGracePeriod: o.rotation.grace,
		Webhook:  keyservice.WebhookConfig{Transport: webhook.New(nil)},
		Observer: metrics,
		Events:   o.events.config(),
	})
	if err != nil {
		return err
	}
	api, err := httpapi.New(httpapi.Config{
		Service: svc, Logger: logger, Metrics: metrics, ClientLimits: clientLimits(o.verifyRateLimit),
	})
	if err != nil {
		return err
	}
	// last_used_at is written in batches: the uses of the final requests are
	// written on the way out, after the HTTP server stopped, before the store
	// closes (defers run last-in first-out).
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := svc.FlushUsage(ctx); err != nil {
			logger.Error("recording key usage at shutdown", "error", err.Error())
		}
	}()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String())

	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()

	// The background jobs (scheduled rotation, delivery of lifecycle events, expiry events, the
	// prune of old audit events, the sweep of expired idempotency records) run beside the server
	// and stop with it.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		svc.Run(jobsCtx)
	}()
	defer func() {
		stopJobs()
		<-jobsDone
	}()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// openStore opens the PostgreSQL database a postgres:// URL names (shared by
// every replica), or else the SQLite file at that path.
func openStore(ctx context.Context, database string) (store.Store, error) {
	if strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://") {
		return postgres.Open(ctx, database)
	}
	return sqlite.Open(ctx, database)
}

// credentials reads the admin token and server secret from the environment.
// In dev mode a missing value is generated; the admin token is then printed
// once, on stderr, outside the structured log.
func credentials(dev bool, getenv func(string) string, stderr io.Writer, logger *slog.Logger) (string, []byte, error) {
	adminToken := getenv("KEYSERVICE_ADMIN_TOKEN")
	if adminToken == "" {
		if !dev {
			return "", nil, errors.New("KEYSERVICE_ADMIN_TOKEN is not set; refusing to start (use --dev for a throwaway token)")
		}
		adminToken = "kst_" + rand.Text()
		fmt.Fprintf(stderr, "dev mode: generated admin token (shown once): %s\n", adminToken)
	}

	var secret []byte
	if enc := getenv("KEYSERVICE_SERVER_SECRET"); enc != "" {
		b, err := decodeSecret(enc)
		if err != nil {
			return "", nil, fmt.Errorf("KEYSERVICE_SERVER_SECRET: %w", err)
		}
		secret = b
	} else {
		if !dev {
			return "", nil, fmt.Errorf("KEYSERVICE_SERVER_SECRET is not set; generate one with `head -c 32 /dev/urandom | base64` and keep it: changing it invalidates every key")
		}
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return "", nil, err
		}
		logger.Warn("dev mode: generated a random server secret; keys issued now will not verify after a restart (set KEYSERVICE_SERVER_SECRET to keep them)")
	}
	return adminToken, secret, nil
}

func decodeSecret(enc string) ([]byte, error) {
	enc = strings.TrimSpace(enc)
	var (
		b   []byte
		err error
	)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = e.DecodeString(enc); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("not valid base64")
	}
	if len(b) < keyservice.MinServerSecretLen {
		return nil, fmt.Errorf("decodes to %d bytes; at least %d are required", len(b), keyservice.MinServerSecretLen)
	}
	return b, nil
}
