package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
	"unicode/utf8"
)

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomAlnum returns n characters drawn uniformly from [0-9A-Za-z] with
// crypto/rand. 62 symbols; bytes >= 248 (4*62) are rejected to avoid bias.
func randomAlnum(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			// crypto/rand never fails on supported platforms; a sandbox
			// without randomness must not hand out guessable tokens.
			panic(fmt.Sprintf("sandbox: crypto/rand failed: %v", err))
		}
		for _, b := range buf {
			if b < 4*62 && len(out) < n {
				out = append(out, alnum[int(b)%62])
			}
		}
	}
	return string(out)
}

// Coder's API key shape: <10-char id>-<22-char secret>.
const (
	apiKeyIDLen     = 10
	apiKeySecretLen = 22
	prefixLen       = 10
	formattedLen    = 40
	regTokenLen     = 40
)

// newAPIKey returns a fresh session/access token and its parts.
func newAPIKey() (token, id, secret string) {
	id, secret = randomAlnum(apiKeyIDLen), randomAlnum(apiKeySecretLen)
	return id + "-" + secret, id, secret
}

// newFormattedSecret returns a coder_<prefix>_<secret> value, the shape of
// codes, refresh tokens and client secrets.
func newFormattedSecret() (full, prefix, secret string) {
	prefix, secret = randomAlnum(prefixLen), randomAlnum(formattedLen)
	return "coder_" + prefix + "_" + secret, prefix, secret
}

// parseFormattedSecret splits coder_<prefix>_<secret>; ok is false for any
// other shape.
func parseFormattedSecret(s string) (prefix, secret string, ok bool) {
	parts := strings.Split(s, "_")
	if len(parts) != 3 || parts[0] != "coder" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// splitAPIKey mirrors Coder's SplitAPIToken, including its error texts,
// which end up in the 401 detail.
func splitAPIKey(token string) (id, secret string, err error) {
	parts := strings.Split(token, "-")
	if len(parts) != 2 {
		return "", "", fmt.Errorf("incorrect amount of API key parts, expected 2 got %d", len(parts))
	}
	if len(parts[0]) != apiKeyIDLen {
		return "", "", fmt.Errorf("invalid API key ID length, expected %d got %d", apiKeyIDLen, len(parts[0]))
	}
	if len(parts[1]) != apiKeySecretLen {
		return "", "", fmt.Errorf("invalid API key secret length, expected %d got %d", apiKeySecretLen, len(parts[1]))
	}
	return parts[0], parts[1], nil
}

// digest is what the store keeps instead of a secret.
type digest [sha256.Size]byte

func hashSecret(s string) digest { return sha256.Sum256([]byte(s)) }

func (d digest) matches(s string) bool {
	h := hashSecret(s)
	return subtle.ConstantTimeCompare(d[:], h[:]) == 1
}

// cutUTF8 is the longest prefix of s that fits in max bytes without
// splitting a character.
func cutUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
