package server_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A request under a prefix reaches that vendor's router, which routes on the
// rest of the path: the prefix alone, and the escaped path when the request
// has one (as chi's routers route).
func TestPrefixRoutesTheRestOfThePath(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "POST", "/fake/echo", "hi")
	assert.Equal(t, 200, res.Status)
	assert.Equal(t, "hi", res.Body)

	// The fake vendor's router has no route at its root: its own 404 (chi's
	// text), not the plain JSON one of a path outside every prefix.
	for _, path := range []string{"/fake", "/fake/"} {
		res = env.Do(t, "GET", path, "")
		assert.Equal(t, 404, res.Status, path)
		assert.Equal(t, "404 page not found\n", res.Body, path)
	}
	res = env.Do(t, "POST", "/fake/%65cho", "hi")
	assert.Equal(t, 404, res.Status, "routed on the escaped path")
	assert.Equal(t, "404 page not found\n", res.Body)

	// The real vendor beside it is reached the same way, in its own envelope.
	res = env.Do(t, "GET", "/360dialog/api/v2/partners/examplePA", "", "X-API-Key: examplePA-api-key")
	assert.Equal(t, 200, res.Status, res.Body)
}
