package keyservice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// Step-up codes. On a project that requires one-time codes (project_otp.go), every change to the
// project or its resources needs the current code, whoever asks, the admin token too: creating,
// updating, rotating, disabling and revoking keys, service-account and environment changes, the
// project's settings and webhook signing secret, re-enrolling and disabling the codes, deleting
// the project. Reads need none.
//
// A code is accepted once per project: the project keeps the last time step whose code it took
// (store.OTPStore.ConsumeOTPStep, a conditional write), and a code of that step or an earlier
// one is refused, on every replica. Wrong codes are counted per project and credential in the
// store, whatever address they come from: after otpFailureLimit of them within otpFailureWindow
// of the first, that credential's guarded requests on that project answer KindRateLimited until
// the window has passed, while the project's other credentials keep working. Each code is
// counted as a failure before it is looked at, in one atomic write, and forgiven if it is
// right: so however many guesses arrive at once, on however many replicas, no more than
// otpFailureLimit of them are ever checked in a window. The per-address budget of failed
// credentials (the HTTP layer's) applies as well.
const (
	otpFailureLimit  = 5
	otpFailureWindow = 15 * time.Minute
)

var (
	errOTPRequired = &Error{Kind: KindUnauthorized, Field: FieldOTP,
		Message: "this project requires a one-time code for every change: send the current code in the " + FieldOTP + " header"}
	errOTPWrong = &Error{Kind: KindUnauthorized, Field: FieldOTP,
		Message: "the one-time code in " + FieldOTP + " is wrong or expired"}
	errOTPUsed = &Error{Kind: KindUnauthorized, Field: FieldOTP,
		Message: "the one-time code in " + FieldOTP + " was already used: each code is accepted once; send the next one"}
)

// stepUp authorises a change to the project: it notes the project for a replay of the request
// (see Idempotent) and, when the project requires one-time codes, checks the principal's code
// and spends it. Call it after every other check of the request (right, input, that the project
// and the target exist for the principal, the grant ceiling), just before the write: a request
// refused for another reason then keeps its code, and a principal learns nothing of a project it
// does not reach.
func (s *Service) stepUp(ctx context.Context, p Principal, projectID string) error {
	proj, err := s.store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the write itself reports the missing project
	}
	if err != nil {
		return fmt.Errorf("load project for one-time code: %w", err)
	}
	p.writes.add(projectID)
	if proj.OTPSecret == nil {
		return nil
	}
	step, err := s.checkOTP(ctx, p, proj)
	if err != nil {
		return err
	}
	consumed, err := s.store.ConsumeOTPStep(ctx, projectID, int64(step)) //nolint:gosec // a time step fits in int64 for billions of years
	if err != nil {
		return fmt.Errorf("consume one-time code: %w", err)
	}
	if !consumed {
		return errOTPUsed
	}
	return nil
}

// stepUpOnce is stepUp for a request that may try its write more than once (a lost race with
// another write of the same key): the code is checked and spent on the first try only.
func (s *Service) stepUpOnce(ctx context.Context, p Principal) func(projectID string) error {
	done := map[string]bool{}
	return func(projectID string) error {
		if done[projectID] {
			return nil
		}
		if err := s.stepUp(ctx, p, projectID); err != nil {
			return err
		}
		done[projectID] = true
		return nil
	}
}

// checkOTP checks the principal's code against the project's secret, within the credential's
// budget of wrong codes on the project, and returns the code's time step. A blocked credential
// gets KindRateLimited before its code is looked at, so it learns nothing, even from a right one.
func (s *Service) checkOTP(ctx context.Context, p Principal, proj store.Project) (uint64, error) {
	now := s.clock()
	credential := p.credential()
	failures, err := s.store.OTPFailures(ctx, proj.ID, credential)
	if err != nil {
		return 0, fmt.Errorf("read failed one-time codes: %w", err)
	}
	if err := otpBlocked(failures, failures.Count >= otpFailureLimit, now); err != nil {
		return 0, err
	}
	if p.otp == "" {
		return 0, errOTPRequired
	}
	// Counted first, checked after: the count and the check are one step for concurrent guesses.
	counted, err := s.store.RecordOTPFailure(ctx, proj.ID, credential, now, now.Add(-otpFailureWindow))
	if err != nil {
		return 0, fmt.Errorf("count a one-time code: %w", err)
	}
	if err := otpBlocked(counted, counted.Count > otpFailureLimit, now); err != nil {
		return 0, err
	}
	secret, err := s.otpSecrets.open(proj.OTPSecret, otpSecretAAD(proj.ID))
	if err != nil {
		return 0, fmt.Errorf("open otp secret of %s: %w", proj.ID, err)
	}
	step, ok := totpMatch(secret, p.otp, now)
	if !ok {
		return 0, errOTPWrong
	}
	if err := s.store.ForgiveOTPFailure(ctx, proj.ID, credential, counted.WindowStart); err != nil {
		return 0, fmt.Errorf("forgive a right one-time code: %w", err)
	}
	return step, nil
}

// otpBlocked is the KindRateLimited answer when over is true and the window of f has not passed.
func otpBlocked(f store.OTPFailures, over bool, now time.Time) error {
	until := f.WindowStart.Add(otpFailureWindow)
	if !over || !now.Before(until) {
		return nil
	}
	return &Error{Kind: KindRateLimited, Field: FieldOTP, RetryAfter: until.Sub(now), Message: fmt.Sprintf(
		"%d wrong one-time codes from this credential on this project within %s: its changes to the project are refused until the window has passed",
		otpFailureLimit, otpFailureWindow)}
}

// authorizeReplay authorises the replay of a recorded answer as the request was authorised:
// for each project it changed that requires one-time codes now, the principal's code must be
// valid now. The replay changes nothing, so the code need not be unused, and is not spent.
func (s *Service) authorizeReplay(ctx context.Context, p Principal, projects []string) error {
	for _, id := range projects {
		proj, err := s.store.GetProject(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && proj.DeletedAt != nil) {
			continue // nothing of it is left to protect
		}
		if err != nil {
			return fmt.Errorf("load project for one-time code: %w", err)
		}
		if proj.OTPSecret == nil {
			continue
		}
		if _, err := s.checkOTP(ctx, p, proj); err != nil {
			return err
		}
	}
	return nil
}
