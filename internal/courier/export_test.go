package courier

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// What the external tests compare with counting rows.
var NewMessagesSQL = newMessagesOf("?", "?")

const AcknowledgedCountsSQL = acknowledgedCountsSQL

// What TestPendingReadMarks runs inside one write transaction.
var (
	NewEngine   = newEngine
	Posted      = posted
	BeforeWrite = beforeWrite
	MarkRead    = markRead
)

// ReadMarkOf is the message an individual's read mark of a channel names.
func ReadMarkOf(c *jsonapi.Call, channelID, individualID string) (string, error) {
	m, err := readMarkOf(c, channelID, individualID)
	return m.MessageID, err
}

// NotificationDaysSQL is notificationDaysSQL, returned as plain strings.
func NotificationDaysSQL(user, lo, hi string, limit, offset int64) (page string, pageArgs []any, total string, totalArgs []any) {
	p, t := notificationDaysSQL(user, lo, hi, limit, offset)
	return p.SQL, p.Args, t.SQL, t.Args
}

// ActionRoute is one route of an action of the resource table: its catalog
// operation's own method and path, or one of the alternatives it serves too.
type ActionRoute struct {
	Op, Method, Path string
	Alt              bool
}

// ActionRoutes lists every route of every action of the table, so that tests
// walk what is mounted rather than a copy of it.
func ActionRoutes() []ActionRoute {
	ops := map[string]jsonapi.Operation{}
	for _, op := range catalog.Operations() {
		ops[op.ID] = op
	}
	var out []ActionRoute
	for _, res := range resources() {
		for _, act := range res.Actions {
			op := ops[act.Op]
			out = append(out, ActionRoute{Op: act.Op, Method: op.Method, Path: op.Path})
			for _, alt := range act.Alts {
				method, path, _ := strings.Cut(alt, " ")
				out = append(out, ActionRoute{Op: act.Op, Method: method, Path: path, Alt: true})
			}
		}
	}
	return out
}

// CompleteFixture is a courier fixture document with every resource given
// what seeding stores for it: its type's empty value for each attribute it
// leaves out (jsonapi.Engine.Complete).
func CompleteFixture(doc []byte) ([]byte, error) {
	var data fixtureData
	if err := json.Unmarshal(doc, &data); err != nil {
		return nil, err
	}
	e := newEngine(server.Deps{})
	for i, r := range data.Resources {
		rec := &jsonapi.Record{Type: r.Type, Attrs: r.Attributes}
		e.Complete(rec)
		data.Resources[i].Attributes = rec.Attrs
	}
	return json.Marshal(data)
}

// SeedSharedTable seeds the fixtures as courier did before types had tables
// of their own (migration 108): every resource in cr_resources.
func SeedSharedTable(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
	return seedAsBefore(ctx, tx, fixtures, func(r *jsonapi.Resource) { r.Table, r.SpliceForm = "", nil })
}

// SeedWithoutForms seeds the fixtures as courier did before messages kept
// splice forms (migration 112).
func SeedWithoutForms(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
	return seedAsBefore(ctx, tx, fixtures, func(r *jsonapi.Resource) { r.SpliceForm = nil })
}

// seedAsBefore seeds through an engine whose table entries are courier's
// as before changed them (copies).
func seedAsBefore(ctx context.Context, tx *store.Tx, fixtures fs.FS, before func(*jsonapi.Resource)) error {
	table := resources()
	for i, r := range table {
		old := *r
		before(&old)
		table[i] = &old
	}
	return seedWith(ctx, tx, fixtures, jsonapi.NewEngine(server.Deps{}, catalog.Operations(), catalog.Types(), table))
}

// TableOf is the table holding a type's rows, for tests that write rows
// directly.
func TableOf(typ string) string {
	return jsonapi.NewEngine(server.Deps{}, nil, nil, resources()).Table(typ)
}

// ColumnsOf are the attributes a type keeps in columns (attribute → column).
func ColumnsOf(typ string) map[string]string {
	for _, r := range resources() {
		if r.Type == typ {
			return r.Columns
		}
	}
	return nil
}

// AllResources is every table of resources as one, to read from as
// "FROM " + AllResources.
var AllResources = func() string {
	e := jsonapi.NewEngine(server.Deps{}, nil, nil, resources())
	q, _ := e.AcrossTables(func(t string) string {
		return `SELECT text, ` + e.RecordColumns(t) + ` FROM ` + t
	})
	return "(" + q + ")"
}()
