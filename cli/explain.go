package cli

import (
	"errors"
	"net"
	"strings"
	"syscall"

	"oauthdeck/client"
)

// explain turns an error into the message the user sees. Typed client and
// keyring errors already say what happened and what to do; transport
// failures get the likely cause added.
func explain(err error) string {
	msg := err.Error()
	var pd *client.ProviderDisabledError
	if errors.As(err, &pd) {
		return pd.Error() // names both settings; context adds nothing
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return msg + " (nothing is listening there: check the URL and that the deployment is running)"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return msg + " (the host name does not resolve: check the URL)"
	}
	if strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:") {
		return msg + " (TLS failed; for a test deployment with a self-signed certificate, --insecure-skip-verify)"
	}
	return msg
}
