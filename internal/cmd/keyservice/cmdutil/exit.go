package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes of keyservice, documented in `keyservice --help` and the guide.
const (
	ExitOK       = 0 // the command did what it was asked
	ExitError    = 1 // the key service refused, could not be reached, or answered something unexpected
	ExitUsage    = 2 // the command line is wrong: unknown command or flag, bad value, missing configuration
	ExitNotFound = 4 // a key, service account, environment or project named on the command line does not exist
)

// ExitCodesHelp is the exit code table for help texts.
const ExitCodesHelp = `Exit codes:
  0  success
  1  error: the key service refused, could not be reached, or a confirmation was declined
  2  usage: unknown command or flag, bad value, missing configuration
  4  not found: a key, service account, environment or project given does not exist`

// UsageError is a mistake in the command line; it exits with ExitUsage.
type UsageError struct{ err error }

func (e *UsageError) Error() string { return e.err.Error() }
func (e *UsageError) Unwrap() error { return e.err }

// UsageErrorf formats a UsageError.
func UsageErrorf(format string, args ...any) error {
	return &UsageError{err: fmt.Errorf(format, args...)}
}

// AsUsageError marks err as a usage error.
func AsUsageError(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{err: err}
}

// ErrCancelled is returned when a person declines a confirmation.
var ErrCancelled = errors.New("cancelled: nothing was changed")
