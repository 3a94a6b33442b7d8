package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBelow(t *testing.T) {
	for _, tc := range []struct {
		path, rest string
		ok         bool
	}{
		{"/greenarrow", "/", true},
		{"/greenarrow/", "/", true},
		{"/greenarrow/ga/api/v2/organizations/1", "/ga/api/v2/organizations/1", true},
		{"/greenarrow//x", "//x", true},
		{"/greenarrowx", "", false},
		{"/greenarrowx/ga", "", false},
		{"/green", "", false},
		{"/", "", false},
		{"", "", false},
	} {
		rest, ok := below(tc.path, "/greenarrow")
		assert.Equal(t, tc.ok, ok, tc.path)
		assert.Equal(t, tc.rest, rest, tc.path)
	}
}
