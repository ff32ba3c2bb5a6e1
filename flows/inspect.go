package flows

// TokenKind is a recognised token format.
type TokenKind string

const (
	TokenCoderAPIKey TokenKind = "coder-api-key" // <10>-<22>: access tokens and session tokens
	TokenCoderSecret TokenKind = "coder-secret"  // coder_<10>_<secret>: codes, refresh tokens, client secrets
	TokenJWT         TokenKind = "jwt"
	TokenOpaque      TokenKind = "opaque"
)

// TokenInfo describes a token without revealing it.
type TokenInfo struct {
	Kind   TokenKind
	Masked string
	// KeyID is the public part: the API key id (<10>) or the secret prefix.
	KeyID string
	// JWT header and claims, decoded but NOT verified.
	JWTHeader map[string]any
	JWTClaims map[string]any
}

// InspectToken recognises Coder's formats and decodes JWTs (unverified).
func InspectToken(tok string) TokenInfo { return TokenInfo{Kind: TokenOpaque, Masked: Mask(tok)} }

// Mask hides a secret for display, keeping only a short public prefix.
func Mask(s string) string { return "••••" }
