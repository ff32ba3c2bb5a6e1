// Package safe is the one place that makes text safe to show: terminal
// sanitising (Line, Text), masking on screen (Mask), redaction in logs,
// recordings and exports (Redact, Marker, Header), the secret names and
// token shapes both rely on (SecretName, CoderKeyID), and shell quoting
// (ShellQuote). It imports nothing of oauthdeck's.
//
// The rule: a string a server sent is made safe where it becomes display
// data — a flows Field, Finding or Verdict, an audit Finding or prune
// Candidate, a TUI notice or view row, a CLI line, a check report — by a
// call into this package, and nowhere else is trusted to have done it. Secrets are masked (Mask: "coder_abc1234567_••••••••")
// where a person looks at them and redacted (Redact: "‹redacted:1a2b3c›", the
// one marker style) where text is kept. rule_test.go in this package
// enforces the rule on the engine's and the CLI's sinks (it type-checks them
// and fails on a server string field that reaches one without this package).
//
// Redaction goes by what a value is, not only by its key: a value that is an
// http(s) URL is not a secret (Coder's endpoints.token is the token
// endpoint's address), though its own user info and query are still scrubbed.
package safe
