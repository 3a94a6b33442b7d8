package store_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// shelf is a made-up fixture format with every kind of field the reader knows.
type shelf struct {
	Name  string      `json:"name" fixture:"required"`
	Size  int         `json:"size" fixture:"min=1,max=9"`
	Fee   json.Number `json:"fee"`
	Books []book      `json:"books"`
}

type book struct {
	ID      int64           `json:"id" fixture:"required"`
	Title   string          `json:"title" fixture:"required"`
	State   string          `json:"state" fixture:"enum=new|used"`
	Added   string          `json:"added" fixture:"time=2006-01-02T15:04:05Z"`
	Printed time.Time       `json:"printed"`
	Note    *string         `json:"note"`
	Shelved *bool           `json:"shelved" fixture:"required"`
	Extra   json.RawMessage `json:"extra"`
	Tags    map[string]int  `json:"tags"`
	Meta    meta            `json:"meta"`
	Copies  []copyOf        `json:"copies"`
	Base
}

// Base is embedded: its fields are the book's own.
type Base struct {
	Owner string `json:"owner"`
}

type meta struct {
	Pages  int      `json:"pages"`
	Labels []copyOf `json:"labels"`
}

type copyOf struct {
	ID   string `json:"id" fixture:"required"`
	Shop string `json:"shop"`
}

func readShelf(doc string) (shelf, error) {
	var s shelf
	err := store.ReadFixture(fstest.MapFS{"shelf.json": {Data: []byte(doc)}}, "shelf.json", &s)
	return s, err
}

func TestReadFixtureAcceptsAWellFormedFile(t *testing.T) {
	t.Parallel()
	s, err := readShelf(`{"name": "A", "size": 2, "fee": "1.50", "books": [
		{"id": 1, "title": "T", "state": "used", "added": "2025-01-06T09:00:00Z", "printed": "2001-02-03T04:05:06+01:00",
		 "note": null, "shelved": true, "extra": [1, {"x": null}], "tags": {"a": 1}, "meta": {"pages": 3, "labels": [{"id": "l"}]},
		 "copies": [{"id": "c", "shop": "s"}], "owner": "o"},
		{"id": 2, "title": "U", "shelved": false}
	]}` + "\n\n")
	require.NoError(t, err)
	assert.Equal(t, "A", s.Name)
	assert.Equal(t, json.Number("1.50"), s.Fee)
	require.Len(t, s.Books, 2)
	assert.Equal(t, "o", s.Books[0].Owner)
	assert.Equal(t, "l", s.Books[0].Meta.Labels[0].ID)
	assert.Nil(t, s.Books[0].Note)
	assert.Equal(t, "", s.Books[1].State, "an absent optional field keeps its zero value")
}

func TestReadFixtureRefusesWithOneLine(t *testing.T) {
	t.Parallel()
	const ok = `"id": 1, "title": "T", "shelved": true`
	tests := []struct{ name, doc, want string }{
		{"empty file", ``, `fixtures: shelf.json: is empty, not a JSON object`},
		{"not JSON", "{\n  \"name\": x\n}", `fixtures: shelf.json: not JSON: line 2, column 11: invalid character 'x' looking for beginning of value`},
		{"cut short", `{"name": "A"`, `fixtures: shelf.json: not JSON: line 1, column 13: unexpected end of file`},
		{"trailing data", "{\"name\": \"A\"}\n{}", `fixtures: shelf.json: line 2, column 1: more data after the top-level object`},
		{"trailing garbage", `{"name": "A"} x`, `fixtures: shelf.json: line 1, column 15: more data after the top-level object`},
		{"not an object", `[]`, `fixtures: shelf.json: must be an object, not array`},
		{"unknown field", `{"name": "A", "nmae": "B"}`, `fixtures: shelf.json: unknown field "nmae"`},
		{"key case is exact", `{"Name": "A"}`, `fixtures: shelf.json: unknown field "Name"`},
		{"key given twice", `{"name": "A", "name": "B"}`, `fixtures: shelf.json: field "name": given twice`},
		{"missing required", `{}`, `fixtures: shelf.json: field "name": is required`},
		{"empty required string", `{"name": ""}`, `fixtures: shelf.json: field "name": must not be empty`},
		{"null for a string", `{"name": null}`, `fixtures: shelf.json: field "name": must be a string, not null`},
		{"string for an integer", `{"name": "A", "size": "2"}`, `fixtures: shelf.json: field "size": must be an integer, not string`},
		{"fraction for an integer", `{"name": "A", "size": 2.5}`, `fixtures: shelf.json: field "size": must be an integer, not 2.5`},
		{"below min", `{"name": "A", "size": 0}`, `fixtures: shelf.json: field "size": must be at least 1, not 0`},
		{"above max", `{"name": "A", "size": 10}`, `fixtures: shelf.json: field "size": must be at most 9, not 10`},
		{"number", `{"name": "A", "fee": "cheap"}`, `fixtures: shelf.json: field "fee": must be a number, not "cheap"`},
		{"empty number", `{"name": "A", "fee": ""}`, `fixtures: shelf.json: field "fee": must be a number, not ""`},
		{"time of the wrong type", `{"name": "A", "books": [{` + ok + `, "printed": 5}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "printed": must be an RFC 3339 time, not number`},
		{"array", `{"name": "A", "books": {}}`, `fixtures: shelf.json: field "books": must be an array, not object`},
		{"record: wrong type", `{"name": "A", "books": [{` + ok + `}, {"id": 3, "title": 5}]}`,
			`fixtures: shelf.json: books[1] (id 3): field "title": must be a string, not number`},
		{"record: unknown field", `{"name": "A", "books": [{` + ok + `, "titel": "x"}]}`,
			`fixtures: shelf.json: books[0] (id 1): unknown field "titel"`},
		{"record: missing required", `{"name": "A", "books": [{"id": 7, "title": "T"}]}`,
			`fixtures: shelf.json: books[0] (id 7): field "shelved": is required`},
		{"record: required pointer is null", `{"name": "A", "books": [{"id": 7, "title": "T", "shelved": null}]}`,
			`fixtures: shelf.json: books[0] (id 7): field "shelved": must be a boolean, not null`},
		{"record without an id", `{"name": "A", "books": [{"title": 1}]}`,
			`fixtures: shelf.json: books[0]: field "title": must be a string, not number`},
		{"enum", `{"name": "A", "books": [{` + ok + `, "state": "lost"}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "state": must be one of new, used, not "lost"`},
		{"time layout", `{"name": "A", "books": [{` + ok + `, "added": "2025-01-06 09:00"}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "added": must be a time like "2025-01-06T09:00:00Z", not "2025-01-06 09:00"`},
		{"RFC 3339 time", `{"name": "A", "books": [{` + ok + `, "printed": "yesterday"}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "printed": must be an RFC 3339 time like "2025-01-06T09:00:00Z", not "yesterday"`},
		{"pointer", `{"name": "A", "books": [{` + ok + `, "note": 1}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "note": must be a string or null, not number`},
		{"map value", `{"name": "A", "books": [{` + ok + `, "tags": {"a": "b"}}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "tags.a": must be an integer, not string`},
		{"nested object field", `{"name": "A", "books": [{` + ok + `, "meta": {"pages": true}}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "meta.pages": must be an integer, not boolean`},
		{"nested unknown field", `{"name": "A", "books": [{` + ok + `, "meta": {"page": 1}}]}`,
			`fixtures: shelf.json: books[0] (id 1): unknown field "meta.page"`},
		{"array in a nested object is a field", `{"name": "A", "books": [{` + ok + `, "meta": {"labels": [{"id": "x", "shop": 1}]}}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "meta.labels[0].shop": must be a string, not number`},
		{"array in a record holds records", `{"name": "A", "books": [{` + ok + `, "copies": [{"id": "c1"}, {"id": "c 2", "shop": 1}]}]}`,
			`fixtures: shelf.json: books[0] (id 1): copies[1] (id "c 2"): field "shop": must be a string, not number`},
		{"embedded struct field", `{"name": "A", "books": [{` + ok + `, "owner": 1}]}`,
			`fixtures: shelf.json: books[0] (id 1): field "owner": must be a string, not number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readShelf(tt.doc)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var fe *store.FixtureError
			assert.ErrorAs(t, err, &fe)
		})
	}
}

func TestReadFixtureMissingFile(t *testing.T) {
	t.Parallel()
	var s shelf
	err := store.ReadFixture(fstest.MapFS{}, "shelf.json", &s)
	assert.EqualError(t, err, `fixtures: shelf.json: cannot be read: file does not exist`)
}

func TestFixtureRecordsAndUniqueValues(t *testing.T) {
	t.Parallel()
	file := store.FixtureFile("f.json")
	acc := file.At("accounts", 0, "acme")
	a, b := acc.At("orgs", 0, "x"), acc.At("orgs", 1, nil)
	assert.Equal(t, "accounts[0] (id acme): orgs[0] (id x)", a.String())
	assert.Equal(t, "accounts[0] (id acme): orgs[1]", b.String(), "siblings do not share their path")
	assert.Equal(t, "items[2] (id 7)", file.At("items", 2, int64(7)).String())
	assert.EqualError(t, b.Errorf("", "broken"), `fixtures: f.json: accounts[0] (id acme): orgs[1]: broken`)

	ids := store.NewFixtureUnique(false)
	require.NoError(t, ids.Add(a, "id", "k"))
	require.NoError(t, ids.Add(b, "id", "K"))
	assert.EqualError(t, ids.Add(file.At("more", 3, "k"), "id", "k"),
		`fixtures: f.json: more[3] (id k): field "id": "k" is already used by accounts[0].orgs[0]`)
	assert.EqualError(t, ids.Add(store.FixtureFile("g.json").At("more", 0, nil), "id", "k"),
		`fixtures: g.json: more[0]: field "id": "k" is already used by f.json: accounts[0].orgs[0]`)

	names := store.NewFixtureUnique(true)
	require.NoError(t, names.Add(a, "name", "Acme"))
	assert.EqualError(t, names.Add(b, "name", "ACME"), `fixtures: f.json: accounts[0] (id acme): orgs[1]: field "name": "ACME" is already used by accounts[0].orgs[0]`)
}

// A seed's fixture error reaches the caller of Open as the one line it is,
// without the store's own prefix.
func TestOpenPassesFixtureErrorsThrough(t *testing.T) {
	t.Parallel()
	s := counterSchema("one")
	s.Seed = func(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
		var v shelf
		return store.ReadFixture(fixtures, "one.json", &v)
	}
	_, err := store.Open(context.Background(), store.Memory, fstest.MapFS{"one.json": {Data: []byte(`{"name": 1}`)}}, s)
	assert.EqualError(t, err, `fixtures: one.json: field "name": must be a string, not number`)
}
