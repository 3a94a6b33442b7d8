package jsonapi

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCredentialIsLookedUpOnce: the operation may ask in its transaction and
// again on its error path; the look-up runs once and both see its answer. A
// look-up that finds neither a caller nor an error gives a caller who is a
// member of nothing. CallerFrom answers the caller found, once it is.
func TestCredentialIsLookedUpOnce(t *testing.T) {
	calls := 0
	refused := errors.New("refused")
	for _, tc := range []struct {
		name   string
		caller *Caller
		err    error
		want   *Caller
	}{
		{"a caller", &Caller{UserID: "u", Orgs: []string{"o"}}, nil, &Caller{UserID: "u", Orgs: []string{"o"}}},
		{"an error", nil, refused, nil},
		{"nothing", nil, nil, &Caller{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls = 0
			ctx := WithCredential(context.Background(), func(context.Context, Querier) (*Caller, error) {
				calls++
				return tc.caller, tc.err
			})
			cred := credentialFrom(ctx)
			assert.Equal(t, &Caller{}, CallerFrom(ctx), "not looked up yet")
			for range 2 {
				got, err := cred.resolve(ctx, nil)
				assert.Equal(t, tc.want, got)
				assert.Equal(t, tc.err, err)
			}
			assert.Equal(t, 1, calls)
			assert.True(t, cred.done)
			if tc.err == nil {
				assert.Equal(t, tc.want, CallerFrom(ctx))
			} else {
				assert.Equal(t, &Caller{}, CallerFrom(ctx), "no caller when the look-up failed")
			}
		})
	}
}
