package loop

// An internal test: the country list is unexported data, and its size is the
// one thing about it no request can show.

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCountryList(t *testing.T) {
	t.Parallel()
	assert.Len(t, isoCountries, 249, "ISO 3166-1 assigns 249 alpha-2 codes")
	for _, code := range []string{"US", "CA", "GB", "FR", "DE", "AX", "SS", "BQ", "CW", "SX"} {
		assert.True(t, validCountry(code), code)
	}
	// Reserved or user-assigned codes are not countries.
	for _, code := range []string{"UK", "EU", "XK", "XX", "ZZ", "AN", "us", "", "USA"} {
		assert.False(t, validCountry(code), code)
	}
}
