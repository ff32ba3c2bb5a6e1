package safe

import (
	"strings"
	"testing"
)

// What Redact mostly sees: text with no secret in it (a discovery document,
// an HTML error page), and a token form that has several.
var (
	benchMetadata = `{"issuer":"https://coder.example.com","authorization_endpoint":"https://coder.example.com/oauth2/authorize",` +
		`"token_endpoint":"https://coder.example.com/oauth2/tokens","response_types_supported":["code"],` +
		`"scopes_supported":["` + strings.Repeat("workspace:read\",\"", 48) + `all"]}`
	benchPage = strings.Repeat("<div class=\"row\"><span>Workspace agent connected</span></div>\n", 1000) // 64 KB
	benchForm = "grant_type=authorization_code&code=coder_abcdefghij_" + strings.Repeat("x", 40) +
		"&client_id=3382578a-f435-42f8-9490-124605cccac2&client_secret=coder_klmnopqrst_" + strings.Repeat("y", 40) +
		"&code_verifier=" + strings.Repeat("v", 43) + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9876%2Fcallback"
)

func BenchmarkRedact(b *testing.B) {
	for name, text := range map[string]string{"metadata": benchMetadata, "page-64k": benchPage, "token-form": benchForm} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				_ = Redact(text)
			}
		})
	}
}
