package sandbox_test

import (
	"context"
	"fmt"
	"net/http"

	"oauthdeck/sandbox"
)

// A v2.30-compatible provider on an ephemeral loopback port.
func ExampleStart() {
	s, err := sandbox.Start(context.Background(), sandbox.Options{Compat: sandbox.CompatV230})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/v2/users/me", nil)
	req.Header.Set("Coder-Session-Token", s.AdminSessionToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("X-Coder-Build-Version"))
	// Output: 200 v2.30.0
}
