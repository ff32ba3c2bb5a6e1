package flows

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// FuzzMetadataChecks: any authorization-server or protected-resource
// metadata a server sends decodes or is refused, and its checks never panic
// and only ever say terminal-safe single lines.
func FuzzMetadataChecks(f *testing.F) {
	for _, s := range []string{
		`{"issuer":"http://127.0.0.1:3000","authorization_endpoint":"http://127.0.0.1:3000/oauth2/authorize","token_endpoint":"http://127.0.0.1:3000/oauth2/tokens","code_challenge_methods_supported":["S256"]}`,
		`{"issuer":"\u001b]52;c;x\u0007","scopes_supported":["\u202e"],"response_types_supported":[7]}`,
		`{"resource":"http://x","authorization_servers":["javascript:alert(1)"],"bearer_methods_supported":["header"]}`,
		`{}`, `[]`, `{"issuer":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var as client.ASMetadata
		var pr client.PRMetadata
		var fs []Finding
		if json.Unmarshal(body, &as) == nil {
			fs = append(fs, CheckASMetadata(as, "http://127.0.0.1:3000")...)
			if json.Unmarshal(body, &pr) == nil {
				fs = append(fs, CheckPRMetadata(pr, "http://127.0.0.1:3000", &as)...)
			}
		}
		for _, fd := range fs {
			if !utf8.ValidString(fd.Message) || safe.Line(fd.Message) != fd.Message || strings.ContainsRune(fd.Message, '\x1b') {
				t.Fatalf("finding %s says an unsafe line: %q", fd.ID, fd.Message)
			}
		}
	})
}
