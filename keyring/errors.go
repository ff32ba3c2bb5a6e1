package keyring

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reason says why the OS keyring could not be used. Callers compare it to
// the constants below; the text is shown to the user.
type Reason string

const (
	ReasonNoSessionBus    Reason = "no D-Bus session bus"
	ReasonNoSecretService Reason = "no Secret Service provider on the D-Bus session bus"
	ReasonLocked          Reason = "the keyring collection is locked or was never unlocked"
	ReasonTimeout         Reason = "the keyring did not answer in time"
	ReasonBusy            Reason = "earlier keyring calls are still blocked"
	ReasonUnsupported     Reason = "no supported OS keyring on this platform"
	ReasonOther           Reason = "the OS keyring reported an error"
)

// UnavailableError means the OS keyring could not be used at all (as opposed
// to "no secret stored", which is ErrNotFound). Callers may offer the
// plain-file store when they see it, but only with the user's consent.
type UnavailableError struct {
	Op     string // "get", "set", "delete"
	Reason Reason
	Hint   string // what the user can do about it
	Err    error  // the underlying error, if any
}

func (e *UnavailableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "OS keyring unavailable (%s): %s", e.Op, e.Reason)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Hint != "" {
		b.WriteString(". " + e.Hint)
	}
	return b.String()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// TimeoutError is returned (wrapped in an UnavailableError) when a keyring
// call does not finish within the store's timeout. The call itself keeps
// running in the background until the keyring answers.
type TimeoutError struct {
	Op    string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("keyring %s timed out after %s", e.Op, e.After)
}

// TooLargeError is returned by Set when the secret exceeds MaxSecretBytes.
// The limit is the same for every store so a secret that fits one fits all
// (Windows Credential Manager allows 2560 bytes, macOS about 3000 in total).
type TooLargeError struct {
	Size  int
	Limit int
}

func (e *TooLargeError) Error() string {
	if e.Size <= 0 { // the keyring itself refused; it did not say by how much
		return fmt.Sprintf("secret is too large for the OS keyring (keep it under %d bytes)", e.Limit)
	}
	return fmt.Sprintf("secret is %d bytes, more than the %d bytes a keyring entry may hold", e.Size, e.Limit)
}

// InsecureFileError is returned when the plain-file store finds its file
// readable by group or others. It refuses to use a secret that may already
// have leaked, and says how to fix the mode.
type InsecureFileError struct {
	Path string
	Mode string
}

func (e *InsecureFileError) Error() string {
	return fmt.Sprintf("refusing to use secrets file %s: its mode %s lets other users read it; "+
		"run `chmod 600 %s` if you trust its contents, or delete it and log in again", e.Path, e.Mode, e.Path)
}

// CorruptFileError is returned when a secrets or config file cannot be
// parsed. The file is left untouched.
type CorruptFileError struct {
	Path string
	What string // "secrets file", "config file"
	Err  error
}

func (e *CorruptFileError) Error() string {
	return fmt.Sprintf("%s %s cannot be read: %v; oauthdeck will not overwrite it; "+
		"fix it by hand or move it aside (for example to %s.bak)", e.What, e.Path, e.Err, e.Path)
}

func (e *CorruptFileError) Unwrap() error { return e.Err }

// CanFallBack reports whether err means the OS keyring itself is unusable,
// so the caller may offer (never silently choose) the plain-file store.
func CanFallBack(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}
