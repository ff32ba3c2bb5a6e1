package safe

import (
	"regexp"
	"strings"
	"sync"
)

// MaskDots ends every masked value, which is how Mask knows one.
const MaskDots = "••••••••"

var (
	coderAPIKeyShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9A-Za-z]{10})-([0-9A-Za-z]{22})$`) })
	coderSecretShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^coder_([0-9A-Za-z]{10})_([0-9A-Za-z]+)$`) })
)

// Coder token shapes.
const (
	ShapeAPIKey = "coder-api-key" // <10>-<22>: access and session tokens
	ShapeSecret = "coder-secret"  // coder_<10>_<secret>: codes, refresh tokens, client secrets
)

// CoderKeyID recognises Coder's token shapes and returns the public part
// (the API key id, or the secret's lookup prefix) and which shape it is.
func CoderKeyID(s string) (id, shape string, ok bool) {
	if m := coderAPIKeyShape().FindStringSubmatch(s); m != nil {
		return m[1], ShapeAPIKey, true
	}
	if m := coderSecretShape().FindStringSubmatch(s); m != nil {
		return m[1], ShapeSecret, true
	}
	return "", "", false
}

// Mask hides a secret for display: the one masking scheme. It keeps the
// public, non-secret part of Coder's formats (the API key id, the
// coder_<prefix>_ lookup prefix) so a token can be told apart from another,
// and at most 4 leading characters of anything else (nothing of short
// values). The result is sanitised, and masking is idempotent.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	if id, shape, ok := CoderKeyID(s); ok {
		if shape == ShapeAPIKey {
			return id + "-" + MaskDots
		}
		return "coder_" + id + "_" + MaskDots
	}
	if strings.HasSuffix(s, MaskDots) {
		return Line(s) // already masked
	}
	r := []rune(s)
	if len(r) < 16 {
		return MaskDots
	}
	return Line(string(r[:4])) + MaskDots
}
