package jsonapi

import (
	"context"

	"github.com/emulator/vendor-emulator/internal/store"
)

// Querier reads: a transaction (*store.Tx) or the store's read pool
// (store.Reader).
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *store.Row
}

// A Credential is a request's caller still to be looked up, in the request's
// own transaction: the operation looks it up first thing in it, and an
// operation that fails before its transaction looks it up on a read
// connection before it answers, so a caller the vendor does not know gets
// its 401 whatever else is wrong with the request.
//
// Why not before the handler: in memory a read cannot start while a group of
// writes is in progress (store's doc.go), so a look-up on a read connection
// made every write wait for the group in progress before it could even queue
// for its own turn at the writer; in the write's own transaction it is one
// more statement there (measured: courier's POST about 1.4 times as many a
// second). A read saves the read connection the look-up took of its own.
type Credential struct {
	lookup func(ctx context.Context, q Querier) (*Caller, error)
	caller *Caller
	err    error
	done   bool
}

type credentialKey struct{}

// WithCredential is ctx carrying a caller that lookup finds (an error, such
// as a 401 *Error, when it finds none). The operation calls lookup once, in
// the goroutine that runs its transaction, before anything else the request
// reads or writes; the handler's own goroutine sees what it set once the
// transaction has ended.
func WithCredential(ctx context.Context, lookup func(ctx context.Context, q Querier) (*Caller, error)) context.Context {
	return context.WithValue(ctx, credentialKey{}, &Credential{lookup: lookup})
}

func credentialFrom(ctx context.Context) *Credential {
	c, _ := ctx.Value(credentialKey{}).(*Credential)
	return c
}

// resolve looks the caller up through q, once.
func (c *Credential) resolve(ctx context.Context, q Querier) (*Caller, error) {
	if !c.done {
		c.caller, c.err = c.lookup(ctx, q)
		if c.caller == nil && c.err == nil {
			c.caller = &Caller{} // a member of nothing: sees nothing
		}
		c.done = true
	}
	return c.caller, c.err
}
