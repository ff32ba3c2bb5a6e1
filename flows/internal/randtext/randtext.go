// Package randtext makes short random strings from crypto/rand for the flow
// engine and the conformance suite: app names, state values, and secrets
// shaped like Coder's but deliberately wrong.
package randtext

import "crypto/rand"

// Alphabet is what Alnum draws from.
const Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Alnum returns n characters drawn uniformly from Alphabet.
func Alnum(n int) string {
	buf := make([]byte, n)
	out := make([]byte, 0, n)
	for len(out) < n {
		// crypto/rand.Read never fails (Go 1.24+: it crashes the program instead).
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4*62: bytes above would favour the first letters
				out = append(out, Alphabet[int(b)%len(Alphabet)])
			}
		}
	}
	return string(out)
}
