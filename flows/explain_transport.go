package flows

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// Transport explanation codes: the request never got an HTTP answer.
const (
	CodeRefused     = "connection-refused"
	CodeDNS         = "dns"
	CodeTLS         = "tls"
	CodeClosed      = "connection-closed"
	CodeUnreachable = "unreachable"
	CodeTimeout     = "timeout"
)

// Unreachable reports that err means no HTTP answer came back at all (the
// server is down, unnamed, untrusted or cut the connection), as opposed to
// an answer that was an error.
func Unreachable(err error) bool {
	e, ok := explainTransport(err)
	return ok && e.Code != CodeTimeout
}

// explainTransport explains a failure below HTTP; ok is false for others.
func explainTransport(err error) (Explanation, bool) {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		opErr   *net.OpError
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return Explanation{Code: CodeRefused, Cause: "nothing is listening there",
			Fix: "check the URL and that the server is running", Basis: "TCP connection refused"}, true
	case errors.As(err, &dnsErr):
		return Explanation{Code: CodeDNS, Cause: "the host name does not resolve",
			Fix: "check the URL", Basis: "DNS"}, true
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid),
		strings.Contains(err.Error(), "x509:"), strings.Contains(err.Error(), "tls:"):
		return Explanation{Code: CodeTLS, Cause: "TLS failed: the server's certificate is not trusted or does not match the host",
			Fix: "fix the certificate; for a test deployment with a self-signed one, --insecure-skip-verify", Basis: "TLS"}, true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return Explanation{Code: CodeClosed, Cause: "the server closed the connection without answering (it stopped, or a proxy cut it)",
			Fix: "check that the server is running; retry", Basis: "connection closed"}, true
	case errors.Is(err, context.DeadlineExceeded):
		return Explanation{Code: CodeTimeout, Cause: "the server did not answer in time",
			Fix: "check the URL and that the server is up; retry", Basis: "timeout"}, true
	case errors.As(err, &opErr):
		return Explanation{Code: CodeUnreachable, Cause: "the network refused the connection (" + opErr.Op + ")",
			Fix: "check the URL, the network and that the server is running", Basis: "network"}, true
	}
	return Explanation{}, false
}
