package keyring

import (
	"errors"
	"net"
	"os/exec"
	"strings"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"
)

const hintFileFallback = "or choose the plain-file store (less secure; mode 0600)"

// classify turns a go-keyring error into ErrNotFound, a TooLargeError or an
// UnavailableError with a reason and a way forward. The shapes matched here
// are the ones go-keyring v0.2.8 and godbus v5 produce (see test-infra.md §1).
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gokeyring.ErrNotFound) {
		return ErrNotFound
	}
	if errors.Is(err, gokeyring.ErrSetDataTooBig) {
		return &TooLargeError{Size: -1, Limit: MaxSecretBytes}
	}
	unavailable := func(reason Reason, hint string) error {
		return &UnavailableError{Op: op, Reason: reason, Hint: hint, Err: err}
	}
	msg := err.Error()

	var timeout *TimeoutError
	if errors.As(err, &timeout) {
		return unavailable(ReasonTimeout,
			"the keyring may be waiting for an unlock prompt or be hung; unlock it, or restart the keyring daemon, "+hintFileFallback)
	}
	if errors.Is(err, gokeyring.ErrUnsupportedPlatform) {
		return unavailable(ReasonUnsupported, "oauthdeck cannot keep secrets in an OS keyring here; "+hintFileFallback)
	}

	// No session bus: DBUS_SESSION_BUS_ADDRESS unset and no dbus-launch to
	// start one, an address godbus cannot work out, or a dead socket.
	var execErr *exec.Error
	var opErr *net.OpError
	if (errors.As(err, &execErr) && strings.Contains(execErr.Name, "dbus-launch")) ||
		strings.Contains(msg, "dbus-launch") ||
		strings.Contains(msg, "couldn't determine address of session bus") {
		return unavailable(ReasonNoSessionBus,
			"DBUS_SESSION_BUS_ADDRESS is not set; run oauthdeck from a desktop session, or start one with "+
				"`dbus-run-session -- <shell>` and unlock a keyring (`gnome-keyring-daemon --unlock`), "+hintFileFallback)
	}
	if errors.As(err, &opErr) {
		return unavailable(ReasonNoSessionBus,
			"DBUS_SESSION_BUS_ADDRESS points to a bus that is not running; log in again or start a new "+
				"`dbus-run-session`, "+hintFileFallback)
	}

	if isDBusError(err, "org.freedesktop.DBus.Error.ServiceUnknown") ||
		strings.Contains(msg, "org.freedesktop.secrets was not provided") {
		return unavailable(ReasonNoSecretService,
			"install and start a Secret Service provider such as gnome-keyring (`apt-get install gnome-keyring`) "+
				"or KeePassXC with Secret Service enabled, "+hintFileFallback)
	}

	if strings.Contains(msg, "failed to unlock correct collection") {
		if strings.Contains(msg, "/aliases/default") {
			return unavailable(ReasonLocked,
				"the Secret Service has no unlocked default keyring; create or unlock one "+
					"(for example `gnome-keyring-daemon --unlock` with the password on stdin), "+hintFileFallback)
		}
		return unavailable(ReasonLocked,
			"the login keyring is locked and no unlock prompt could be shown; unlock it from your desktop "+
				"(Passwords and Keys) or with `gnome-keyring-daemon --unlock`, "+hintFileFallback)
	}

	return unavailable(ReasonOther, "check that your keyring works (for example with `secret-tool`), "+hintFileFallback)
}

func isDBusError(err error, name string) bool {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name == name
	}
	var p *dbus.Error
	if errors.As(err, &p) {
		return p.Name == name
	}
	return false
}
