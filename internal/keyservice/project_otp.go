package keyservice

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/keyservice/terraform-provider-keyservice/internal/keyservice/store"
)

// A project may require a one-time code (TOTP, see totp.go) for every change to it and its
// resources (see stepUp). The code comes with the principal (Principal.WithOTP; the API carries
// it in this header); a stolen management key or admin token alone is then not enough to change
// anything of the project.
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
// replaces the old one, and needs a code of the old one). Only the admin may: a stolen
// management key must not be able to turn the protection off, nor to lock its owners out by
// enrolling its own authenticator.
func (s *Service) EnableProjectOTP(ctx context.Context, p Principal, id string) (OTPEnrollment, error) {
	if err := p.Require(RightOperator); err != nil {
		return OTPEnrollment{}, err
	}
	proj, err := s.loadProject(ctx, id, "id")
	if err != nil {
		return OTPEnrollment{}, err
	}
	if err := s.stepUp(ctx, p, id); err != nil {
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
			return OTPEnrollment{}, projectNotFound("id")
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

// DisableProjectOTP turns one-time codes off for the project, with a code; admin only, as
// enabling.
func (s *Service) DisableProjectOTP(ctx context.Context, p Principal, id string) error {
	if err := p.Require(RightOperator); err != nil {
		return err
	}
	if _, err := s.loadProject(ctx, id, "id"); err != nil {
		return err
	}
	if err := s.stepUp(ctx, p, id); err != nil {
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
			return projectNotFound("id")
		}
		return fmt.Errorf("disable project otp: %w", err)
	}
	return nil
}
