package courier

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// fixtureData is the format of fixtures/courier*.json.
type fixtureData struct {
	// Tokens are the bearer tokens and the users they authenticate.
	Tokens []struct {
		Token  string `json:"token"`
		UserID string `json:"user-id"`
	} `json:"tokens"`
	// Memberships put users in organizations.
	Memberships []struct {
		UserID string `json:"user-id"`
		OrgID  string `json:"organization-id"`
	} `json:"memberships"`
	// Links are other relations: channel subscribers, read marks, ...
	Links []struct {
		Rel        string          `json:"rel"`
		From       string          `json:"from"`
		To         string          `json:"to"`
		CreatedAt  string          `json:"created-at"`
		Attributes json.RawMessage `json:"attributes"`
	} `json:"links"`
	// Resources are records of any type: the organization and parent columns
	// that scope them, and their attributes as the API answers them.
	Resources []struct {
		Type       string                     `json:"type"`
		ID         string                     `json:"id"`
		OrgID      string                     `json:"org"`
		ParentID   string                     `json:"parent"`
		CreatedAt  string                     `json:"created-at"`
		Attributes map[string]json.RawMessage `json:"attributes"`
	} `json:"resources"`
}

func seed(ctx context.Context, tx *sql.Tx, fixtures fs.FS) error {
	files, err := fs.Glob(fixtures, fixturePattern)
	if err != nil {
		return err
	}
	sort.Strings(files)
	t := newEngine(server.Deps{})
	for _, file := range files {
		var data fixtureData
		if err := store.ReadFixture(fixtures, file, &data); err != nil {
			return err
		}
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
			attrs := json.RawMessage("{}")
			if len(l.Attributes) > 0 {
				attrs = l.Attributes
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES (?, ?, ?, ?, ?)`,
				l.Rel, l.From, l.To, l.CreatedAt, string(attrs)); err != nil {
				return fmt.Errorf("%s: link %s %s→%s: %w", file, l.Rel, l.From, l.To, err)
			}
		}
		for _, fr := range data.Resources {
			if t.Attrs(fr.Type) == nil {
				return fmt.Errorf("%s: resource %s: unknown type %q", file, fr.ID, fr.Type)
			}
			rec := &jsonapi.Record{Type: fr.Type, ID: fr.ID, OrgID: fr.OrgID, ParentID: fr.ParentID, CreatedAt: fr.CreatedAt, Attrs: fr.Attributes}
			if err := t.Insert(ctx, tx, rec); err != nil {
				return fmt.Errorf("%s: resource %s %s: %w", file, fr.Type, fr.ID, err)
			}
		}
	}
	return nil
}
