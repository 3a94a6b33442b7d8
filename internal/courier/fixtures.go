package courier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// fixtureData is the format of fixtures/courier*.json (docs/fixtures.md
// documents it; store.ReadFixture enforces the fixture tags). Times are
// written in one fixed-width UTC layout, so that text order is time order.
type fixtureData struct {
	// Tokens are the bearer tokens and the users they authenticate.
	Tokens []fixtureToken `json:"tokens"`
	// Memberships put users in organizations.
	Memberships []fixtureMembership `json:"memberships"`
	// Links are the other relations: channel subscribers and read marks.
	Links []fixtureLink `json:"links"`
	// Resources are records of any type: the organization and parent columns
	// that scope them, and their attributes as the API answers them.
	Resources []fixtureResource `json:"resources"`
}

// The records of fixtureData, named so that State can build them.
type (
	fixtureToken struct {
		Token  string `json:"token" fixture:"required"`
		UserID string `json:"user-id" fixture:"required"`
	}
	fixtureMembership struct {
		UserID string `json:"user-id" fixture:"required"`
		OrgID  string `json:"organization-id" fixture:"required"`
	}
	fixtureLink struct {
		Rel        string          `json:"rel" fixture:"required,enum=subscriber|read"`
		From       string          `json:"from" fixture:"required"`
		To         string          `json:"to" fixture:"required"`
		CreatedAt  string          `json:"created-at" fixture:"required,time=2006-01-02T15:04:05.000000+00:00"`
		Attributes json.RawMessage `json:"attributes"`
	}
	fixtureResource struct {
		Type       string                     `json:"type" fixture:"required"`
		ID         string                     `json:"id" fixture:"required"`
		OrgID      string                     `json:"org"`
		ParentID   string                     `json:"parent"`
		CreatedAt  string                     `json:"created-at" fixture:"required,time=2006-01-02T15:04:05.000000+00:00"`
		Attributes map[string]json.RawMessage `json:"attributes"`
	}
)

func seed(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
	return seedWith(ctx, tx, fixtures, newEngine(server.Deps{}))
}

// seedWith seeds through engine t, which says where each type's rows go.
func seedWith(ctx context.Context, tx *store.Tx, fixtures fs.FS, t *jsonapi.Engine) error {
	files, err := fs.Glob(fixtures, fixturePattern)
	if err != nil {
		return err
	}
	sort.Strings(files)
	all := make([]fixtureData, len(files))
	for i, file := range files {
		if err := store.ReadFixture(fixtures, file, &all[i]); err != nil {
			return err
		}
	}
	if err := checkFixtures(t, files, all); err != nil {
		return err
	}
	for i, file := range files {
		data := all[i]
		for _, tk := range data.Tokens {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cr_tokens (token, user_id) VALUES (?, ?)`, tk.Token, tk.UserID); err != nil {
				return fmt.Errorf("%s: token: %w", file, err)
			}
		}
		for _, m := range data.Memberships {
			if err := jsonapi.AddLink(ctx, tx, relMember, m.UserID, m.OrgID, "", nil); err != nil {
				return fmt.Errorf("%s: membership: %w", file, err)
			}
		}
		for _, l := range data.Links {
			// Stored compact, as AddLink stores them (decodePrefs reads that
			// form without reflection).
			var attrs bytes.Buffer
			if len(l.Attributes) == 0 || string(l.Attributes) == "null" {
				attrs.WriteString("{}")
			} else if err := json.Compact(&attrs, l.Attributes); err != nil {
				return fmt.Errorf("%s: link %s %s→%s: %w", file, l.Rel, l.From, l.To, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES (?, ?, ?, ?, ?)`,
				l.Rel, l.From, l.To, l.CreatedAt, attrs.String()); err != nil {
				return fmt.Errorf("%s: link %s %s→%s: %w", file, l.Rel, l.From, l.To, err)
			}
		}
		for _, fr := range data.Resources {
			rec := &jsonapi.Record{Type: fr.Type, ID: fr.ID, OrgID: fr.OrgID, ParentID: fr.ParentID, CreatedAt: fr.CreatedAt, Attrs: fr.Attributes}
			if err := t.Insert(ctx, tx, rec); err != nil {
				return fmt.Errorf("%s: resource %s %s: %w", file, fr.Type, fr.ID, err)
			}
		}
	}
	return nil
}

// checkFixtures finds what the types alone cannot, over all the files at
// once (a record may refer to one in another file): unknown types, repeated
// ids, tokens and links, attributes the catalog does not know or types
// otherwise, and references to records no file holds.
func checkFixtures(t *jsonapi.Engine, files []string, all []fixtureData) error {
	ids := map[string]*store.FixtureUnique{} // per type
	types := map[string][]string{}           // id → the types that have it
	for i, data := range all {
		file := store.FixtureFile(files[i])
		for j, r := range data.Resources {
			rec := file.At("resources", j, r.ID)
			attrs := t.Attrs(r.Type)
			if attrs == nil {
				return rec.Errorf("type", "unknown type %q", r.Type)
			}
			if ids[r.Type] == nil {
				ids[r.Type] = store.NewFixtureUnique(false)
			}
			if err := ids[r.Type].Add(rec, "id", r.ID); err != nil {
				return err
			}
			types[r.ID] = append(types[r.ID], r.Type)
			if err := checkAttributes(rec, r.Type, attrs, t.Resource(r.Type), r.Attributes); err != nil {
				return err
			}
		}
	}
	is := func(id, typ string) bool {
		for _, t := range types[id] {
			if typ == "" || t == typ {
				return true
			}
		}
		return false
	}
	tokens := store.NewFixtureUnique(false)
	links := map[string]*store.FixtureUnique{} // per rel and from
	for i, data := range all {
		file := store.FixtureFile(files[i])
		for j, r := range data.Resources {
			rec := file.At("resources", j, r.ID)
			if r.OrgID != "" && !is(r.OrgID, "organizations") {
				return rec.Errorf("org", "unknown organization %q", r.OrgID)
			}
			parentType := ""
			if res := t.Resource(r.Type); res != nil && res.Parent != nil {
				parentType = res.Parent.Type
			}
			if r.ParentID != "" && !is(r.ParentID, parentType) {
				if parentType != "" {
					return rec.Errorf("parent", "no record of type %s has the id %q", parentType, r.ParentID)
				}
				return rec.Errorf("parent", "no record has the id %q", r.ParentID)
			}
		}
		for j, tk := range data.Tokens {
			rec := file.At("tokens", j, nil)
			if err := tokens.Add(rec, "token", tk.Token); err != nil {
				return err
			}
			if !is(tk.UserID, "users") {
				return rec.Errorf("user-id", "unknown user %q", tk.UserID)
			}
		}
		for j, m := range data.Memberships {
			rec := file.At("memberships", j, nil)
			if !is(m.UserID, "users") {
				return rec.Errorf("user-id", "unknown user %q", m.UserID)
			}
			if !is(m.OrgID, "organizations") {
				return rec.Errorf("organization-id", "unknown organization %q", m.OrgID)
			}
		}
		for j, l := range data.Links {
			rec := file.At("links", j, nil)
			if !is(l.From, "messaging-channels") {
				return rec.Errorf("from", "unknown messaging channel %q", l.From)
			}
			if !is(l.To, "individuals") {
				return rec.Errorf("to", "unknown individual %q", l.To)
			}
			key := l.Rel + " " + l.From
			if links[key] == nil {
				links[key] = store.NewFixtureUnique(false)
			}
			if err := links[key].Add(rec, "to", l.To); err != nil {
				return err
			}
			if a := strings.TrimSpace(string(l.Attributes)); a != "" && a != "null" && a[0] != '{' {
				return rec.Errorf("attributes", "must be an object")
			}
		}
	}
	return nil
}

// checkAttributes checks a resource's attributes against its type in the
// catalog, and nested ones against their documented shapes. Names that
// start with "_" are the emulator's own hidden state (kept by the hooks)
// and the type's organization attribute is stored with it; both are let
// through as written.
func checkAttributes(rec store.FixtureRecord, typ string, attrs []jsonapi.Attr, res *jsonapi.Resource, values map[string]json.RawMessage) error {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names) // the first fault of a map is the first by name
	for _, name := range names {
		if strings.HasPrefix(name, "_") || (res != nil && name == res.OrgAttr) {
			continue
		}
		a, ok := findAttr(attrs, name)
		if !ok {
			return rec.Errorf("", "unknown field %q (%s has no attribute %q)", "attributes."+name, typ, name)
		}
		e := jsonapi.CheckValue("", a.Kind, a.Format, a.Enum, a.MaxLength, "", values[name])
		if e == nil && res != nil && res.Shapes[name] != nil {
			if bad := res.Shapes[name].Check("", values[name]); len(bad) > 0 {
				e = bad[0]
			}
		}
		if e != nil {
			// A member's pointer ("/rules/0/day") continues the field's name.
			field := "attributes." + name + strings.ReplaceAll(e.Pointer, "/", ".")
			msg := strings.TrimSuffix(e.Detail, ".")
			return rec.Errorf(field, "%s", strings.ToLower(msg[:1])+msg[1:])
		}
	}
	return nil
}

func findAttr(attrs []jsonapi.Attr, name string) (jsonapi.Attr, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a, true
		}
	}
	return jsonapi.Attr{}, false
}
