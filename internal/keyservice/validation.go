package keyservice

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits from the API contract.
const (
	maxNameLen         = 255
	maxDescriptionLen  = 65535
	maxScopes          = 50
	maxDays            = 3650
	maxWebhookURLLen   = 2048
	maxReferenceIDLen  = 255
	maxRevokeBatchSize = 1000
	// MaxGracePeriod bounds how long a rotated key keeps working after its successor.
	MaxGracePeriod = 30 * 24 * time.Hour
	// maxEnvironmentNameLen bounds environment names, which show in key secrets.
	maxEnvironmentNameLen = 32
)

var (
	scopePattern = regexp.MustCompile(`^[a-z][a-z0-9_.:-]{0,63}$`)
	// environmentNamePattern has no "_": the name is a segment of the key format.
	environmentNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
)

func validateName(field, name string) error { //nolint:unparam // field names the member in the error, whatever member a caller checks
	if !utf8.ValidString(name) {
		return Invalid(field, "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(name)
	if n < 1 || n > maxNameLen {
		return Invalid(field, "must be 1 to %d characters long", maxNameLen)
	}
	// A name is shown in lists, logs and terminals, where control characters hide or forge text.
	if strings.ContainsFunc(name, unicode.IsControl) {
		return Invalid(field, "must not contain control characters (tabs, line breaks, NUL, escapes)")
	}
	return nil
}

func validateDescription(field, d string) error { //nolint:unparam // as validateName
	if !utf8.ValidString(d) {
		return Invalid(field, "must be valid UTF-8")
	}
	if utf8.RuneCountInString(d) > maxDescriptionLen {
		return Invalid(field, "must be at most %d characters long", maxDescriptionLen)
	}
	return nil
}

func validateScopes(scopes []string) error {
	if len(scopes) > maxScopes {
		return Invalid("scopes", "at most %d scopes are allowed", maxScopes)
	}
	seen := make(map[string]bool, len(scopes))
	for i, s := range scopes {
		field := fmt.Sprintf("scopes[%d]", i)
		if !scopePattern.MatchString(s) {
			return Invalid(field, "must match %s", scopePattern)
		}
		if seen[s] {
			return Invalid(field, "duplicate scope %q", s)
		}
		seen[s] = true
	}
	return nil
}

func validateFuture(field string, t time.Time, now time.Time) error {
	if !t.After(now) {
		return Invalid(field, "must be in the future")
	}
	return nil
}

func validateDays(field string, days int) error {
	if days < 1 || days > maxDays {
		return Invalid(field, "must be between 1 and %d", maxDays)
	}
	return nil
}

func validateWebhookURL(field, raw string) error {
	if len(raw) > maxWebhookURLLen {
		return Invalid(field, "must be at most %d characters long", maxWebhookURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid(field, "must be an absolute http or https URL")
	}
	if u.User != nil {
		return Invalid(field, "must not contain credentials")
	}
	return nil
}

// validateReferenceID checks ids of other resources (service accounts,
// environments) that are stored but not yet resolved.
func validateReferenceID(field string, id *string) error {
	if id == nil {
		return nil
	}
	if *id == "" || len(*id) > maxReferenceIDLen || !utf8.ValidString(*id) {
		return Invalid(field, "must be 1 to %d characters long, or null", maxReferenceIDLen)
	}
	return nil
}

func validateEnvironmentName(field, name string) error {
	if !environmentNamePattern.MatchString(name) {
		return Invalid(field, "must match %s: a lowercase letter, then up to 31 lowercase letters, digits or hyphens", environmentNamePattern)
	}
	return nil
}
