package client

import (
	"context"
	"fmt"
	"net/http"
)

// OTPEnrollment is the answer to EnableProjectOTP: the project's new TOTP secret (base32), shown
// only this once. String and GoString never print the secret.
type OTPEnrollment struct {
	ProjectID  string `json:"project_id"`
	RequireOTP bool   `json:"require_otp"`
	OTPSecret  string `json:"otp_secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

func (e OTPEnrollment) String() string {
	return fmt.Sprintf("OTPEnrollment{ProjectID:%q RequireOTP:%t OTPSecret:%q}", e.ProjectID, e.RequireOTP, redacted)
}

// GoString keeps %#v from printing the secret too.
func (e OTPEnrollment) GoString() string { return "client." + e.String() }

// EnableProjectOTP makes the project require a one-time code (Config.OTP) to create, rotate
// and revoke its keys, under a new secret. Admin token only.
func (c *Client) EnableProjectOTP(ctx context.Context, projectID string) (*OTPEnrollment, error) {
	path, err := resourcePath(projectsPath, projectID, "otp")
	if err != nil {
		return nil, err
	}
	var e OTPEnrollment
	if err := c.do(ctx, call{method: http.MethodPost, path: path, out: &e}); err != nil {
		return nil, err
	}
	return &e, nil
}

// DisableProjectOTP stops requiring one-time codes. Admin token only.
func (c *Client) DisableProjectOTP(ctx context.Context, projectID string) error {
	path, err := resourcePath(projectsPath, projectID, "otp")
	if err != nil {
		return err
	}
	return c.do(ctx, call{method: http.MethodDelete, path: path})
}
