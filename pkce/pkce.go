// Package pkce implements Proof Key for Code Exchange (RFC 7636): verifier
// generation, S256 and plain challenges, and verification.
//
// Generation wraps golang.org/x/oauth2's helpers (crypto/rand, 32 bytes,
// base64url without padding = 43 characters). Verification is what an
// authorization server does; the sandbox uses it.
package pkce

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// Method is a code_challenge_method value.
type Method string

const (
	S256  Method = "S256"
	Plain Method = "plain"
)

// Verifier length limits from RFC 7636 §4.1.
const (
	MinLength     = 43
	MaxLength     = 128
	DefaultLength = 43
)

// Sentinel errors for malformed verifiers or challenges; match them with errors.Is.
var (
	ErrTooShort      = errors.New("shorter than 43 characters")
	ErrTooLong       = errors.New("longer than 128 characters")
	ErrCharset       = errors.New("contains a character outside [A-Za-z0-9-._~]")
	ErrUnknownMethod = errors.New("unknown code_challenge_method")
)

// unreserved is the RFC 3986 unreserved set that RFC 7636 allows.
const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// Pair is a verifier with its challenge.
type Pair struct {
	Verifier  string
	Challenge string
	Method    Method
}

// NewVerifier returns a fresh 43-character verifier from crypto/rand.
func NewVerifier() string { return oauth2.GenerateVerifier() }

// NewVerifierLength returns a fresh verifier of n characters (43–128), each
// drawn uniformly from the unreserved set with crypto/rand.
func NewVerifierLength(n int) (string, error) {
	if n == DefaultLength {
		return NewVerifier(), nil
	}
	if err := checkLength(n); err != nil {
		return "", fmt.Errorf("verifier length %d: %w", n, err)
	}
	// 66 symbols; reject bytes >= 198 (3*66) so every symbol is equally likely.
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("reading random bytes: %w", err)
		}
		for _, b := range buf {
			if b < 3*byte(len(unreserved)) && len(out) < n {
				out = append(out, unreserved[int(b)%len(unreserved)])
			}
		}
	}
	return string(out), nil
}

// New returns a fresh S256 pair with a default-length verifier.
func New() Pair {
	v := NewVerifier()
	return Pair{Verifier: v, Challenge: oauth2.S256ChallengeFromVerifier(v), Method: S256}
}

// ValidateVerifier reports whether v is a well-formed RFC 7636 verifier.
func ValidateVerifier(v string) error {
	if err := checkLength(len(v)); err != nil {
		return fmt.Errorf("code_verifier is %w", err)
	}
	if !onlyUnreserved(v) {
		return fmt.Errorf("code_verifier %w", ErrCharset)
	}
	return nil
}

// ValidateChallenge reports whether c has the shape of a challenge. An S256
// challenge is always 43 characters; a plain one follows the verifier rules.
func ValidateChallenge(c string) error {
	if err := checkLength(len(c)); err != nil {
		return fmt.Errorf("code_challenge is %w", err)
	}
	if !onlyUnreserved(c) {
		return fmt.Errorf("code_challenge %w", ErrCharset)
	}
	return nil
}

// Challenge derives the code_challenge for verifier under method. It does not
// validate the verifier, so deliberately broken values can be tried.
func Challenge(verifier string, method Method) (string, error) {
	switch method {
	case S256, "":
		sum := sha256.Sum256([]byte(verifier))
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	case Plain:
		return verifier, nil
	default:
		return "", fmt.Errorf("%w %q (want S256 or plain)", ErrUnknownMethod, string(method))
	}
}

// Verify reports whether verifier matches challenge under method, in
// constant time. An empty method means S256, as Coder treats it.
func Verify(verifier, challenge string, method Method) bool {
	want, err := Challenge(verifier, method)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func checkLength(n int) error {
	switch {
	case n < MinLength:
		return ErrTooShort
	case n > MaxLength:
		return ErrTooLong
	}
	return nil
}

func onlyUnreserved(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
		if !ok {
			return false
		}
	}
	return true
}
