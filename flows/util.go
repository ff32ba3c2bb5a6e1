package flows

import (
	"crypto/rand"
	"encoding/base64"
)

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomAlnum returns n characters from crypto/rand (names, not secrets).
func randomAlnum(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
