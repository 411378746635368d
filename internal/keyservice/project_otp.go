package keyservice

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// A project may require a one-time code (TOTP, see totp.go) for the operations that create or
// end credentials: creating, rotating and revoking keys. The code comes with the principal
// (Principal.WithOTP; the API carries it in this header); a stolen management key alone is
// then not enough to mint or destroy keys.
const FieldOTP = "X-Keyservice-OTP"

// OTPEnrollment is what enabling one-time codes answers, once: the secret for an
// authenticator app, plainly and as an otpauth:// URI (the QR code's content).
type OTPEnrollment struct {
	ProjectID  string
	RequireOTP bool
	OTPSecret  string
	OTPAuthURI string
}

func otpSecretAAD(projectID string) []byte {
	return []byte("otp-secret\x00" + projectID)
}

// EnableProjectOTP makes the project require one-time codes under a new secret (re-enrolling
// replaces the old one). Only the admin may: a stolen management key must not be able to turn
// the protection off, nor to lock its owners out by enrolling its own authenticator.
func (s *Service) EnableProjectOTP(ctx context.Context, p Principal, id string) (OTPEnrollment, error) {
	if err := p.MustBeAdmin(); err != nil {
		return OTPEnrollment{}, err
	}
	proj, err := s.loadProject(ctx, id, "id")
	if err != nil {
		return OTPEnrollment{}, err
	}
	secret, err := newTOTPSecret()
	if err != nil {
		return OTPEnrollment{}, err
	}
	sealed, err := s.otpSecrets.seal(secret, otpSecretAAD(id))
	if err != nil {
		return OTPEnrollment{}, err
	}
	now := s.clock()
	ch := audited(auditEvent(p.source(), id, ActionProjectOTPEnable, projectTarget(proj), nil, now))
	if err := s.store.SetProjectOTPSecret(ctx, id, sealed, now, ch); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return OTPEnrollment{}, notFound("id", "project %q not found", id)
		}
		return OTPEnrollment{}, fmt.Errorf("enable project otp: %w", err)
	}
	encoded := totpEncoding.EncodeToString(secret)
	q := url.Values{}
	q.Set("secret", encoded)
	q.Set("issuer", "keyservice")
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(int(totpStep.Seconds())))
	uri := url.URL{Scheme: "otpauth", Host: "totp", Path: "/keyservice:" + proj.Name, RawQuery: q.Encode()}
	return OTPEnrollment{ProjectID: id, RequireOTP: true, OTPSecret: encoded, OTPAuthURI: uri.String()}, nil
}

// DisableProjectOTP turns one-time codes off for the project; admin only, as enabling.
func (s *Service) DisableProjectOTP(ctx context.Context, p Principal, id string) error {
	if err := p.MustBeAdmin(); err != nil {
		return err
	}
	proj, err := s.loadProject(ctx, id, "id")
	if err != nil {
		return err
	}
	now := s.clock()
	ch := audited(auditEvent(p.source(), id, ActionProjectOTPDisable, projectTarget(proj), nil, now))
	if err := s.store.SetProjectOTPSecret(ctx, id, nil, now, ch); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("id", "project %q not found", id)
		}
		return fmt.Errorf("disable project otp: %w", err)
	}
	return nil
}

var (
	errOTPRequired = &Error{Kind: KindUnauthorized, Field: FieldOTP,
		Message: "this project requires a one-time code for creating, rotating and revoking keys: send the current code in the " + FieldOTP + " header"}
	errOTPWrong = &Error{Kind: KindUnauthorized, Field: FieldOTP,
		Message: "the one-time code in " + FieldOTP + " is wrong or expired"}
)

// requireOTP checks the principal's one-time code when the project requires one. It runs
// after the access check, so it tells nothing to whom may not see the project.
func (s *Service) requireOTP(ctx context.Context, p Principal, projectID string) error {
	proj, err := s.store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the operation itself reports the missing project
	}
	if err != nil {
		return fmt.Errorf("load project for otp: %w", err)
	}
	if proj.OTPSecret == nil {
		return nil
	}
	if p.otp == "" {
		return errOTPRequired
	}
	secret, err := s.otpSecrets.open(proj.OTPSecret, otpSecretAAD(projectID))
	if err != nil {
		return fmt.Errorf("open otp secret of %s: %w", projectID, err)
	}
	if !totpValid(secret, p.otp, s.now()) {
		return errOTPWrong
	}
	return nil
}
