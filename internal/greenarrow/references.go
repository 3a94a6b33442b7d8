package greenarrow

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// refKind describes one table of referenced objects: how a reference names
// an object (by id first, then by its one other attribute, as the docs say:
// "prioritize the highest attribute in each table") and how to read a row.
type refKind[T any] struct {
	label    string // "virtual MTA", in messages
	table    string
	columns  string // the SELECT list, in the order scan reads
	alt      string // the attribute tried when no id is given
	stringID bool   // bounce email ids are strings ("1@1")
	altOf    func(refInput) *string
	scan     func(scanner) (T, error)
	// appendJSON appends an object as httpx.WriteJSONHTMLEscaped writes it
	// (TestReferenceAnswersMatchEncodingJSON): the lists and gets write
	// their answers by hand, as the organizations' do (wire.go).
	appendJSON func(b []byte, v T) []byte
}

type scanner interface{ Scan(dest ...any) error }

var (
	virtualMTAs = refKind[VirtualMTA]{label: "virtual MTA", table: "ga_virtual_mtas", columns: "id, name, type", alt: "name",
		altOf: func(in refInput) *string { return in.Name },
		scan:  func(s scanner) (v VirtualMTA, err error) { err = s.Scan(&v.ID, &v.Name, &v.Type); return v, err },
		appendJSON: func(b []byte, v VirtualMTA) []byte {
			b = appendIDMember(b, v.ID, "name", v.Name)
			return append(appendStringMember(b, "type", v.Type), '}')
		}}
	urlDomains = refKind[URLDomain]{label: "URL domain", table: "ga_url_domains", columns: "id, domain", alt: "domain",
		altOf: func(in refInput) *string { return in.Domain },
		scan:  func(s scanner) (v URLDomain, err error) { err = s.Scan(&v.ID, &v.Domain); return v, err },
		appendJSON: func(b []byte, v URLDomain) []byte {
			return append(appendIDMember(b, v.ID, "domain", v.Domain), '}')
		}}
	bounceEmails = refKind[BounceEmail]{label: "bounce email", table: "ga_bounce_emails", columns: "id, email", alt: "email",
		stringID: true, altOf: func(in refInput) *string { return in.Email },
		scan: func(s scanner) (v BounceEmail, err error) { err = s.Scan(&v.ID, &v.Email); return v, err },
		appendJSON: func(b []byte, v BounceEmail) []byte {
			b = httpx.AppendJSONString(append(b, `{"id":`...), v.ID, true)
			return append(appendStringMember(b, "email", v.Email), '}')
		}}
	suppressionLists = refKind[SuppressionList]{label: "suppression list", table: "ga_suppression_lists", columns: "id, name",
		alt: "name", altOf: func(in refInput) *string { return in.Name },
		scan: func(s scanner) (v SuppressionList, err error) { err = s.Scan(&v.ID, &v.Name); return v, err },
		appendJSON: func(b []byte, v SuppressionList) []byte {
			return append(appendIDMember(b, v.ID, "name", v.Name), '}')
		}}
)

// appendIDMember opens an object with its integer id and one string member.
func appendIDMember(b []byte, id int64, name, value string) []byte {
	b = strconv.AppendInt(append(b, `{"id":`...), id, 10)
	return appendStringMember(b, name, value)
}

// appendStringMember appends ,"name":value (name needs no escaping).
func appendStringMember(b []byte, name, value string) []byte {
	b = append(append(append(append(b, ',', '"'), name...), '"'), ':')
	return httpx.AppendJSONString(b, value, true)
}

// resolve finds the object a reference names. A reference that names nothing
// that exists is a problem for the caller to report, not an error.
func (k refKind[T]) resolve(ctx context.Context, q querier, field string, in refInput, p *problems) (T, bool, error) {
	var zero T
	col, arg, ok := k.key(in)
	if !ok {
		p.add("%s must name a %s by id or %s", field, k.label, k.alt)
		return zero, false, nil
	}
	if arg == nil {
		p.add("%s: the id of a %s must be %s", field, k.label, map[bool]string{true: "a string", false: "an integer"}[k.stringID])
		return zero, false, nil
	}
	v, err := k.scan(q.QueryRowContext(ctx, `SELECT `+k.columns+` FROM `+k.table+` WHERE `+col+` = ?`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		p.add("%s: there is no %s with %s %v", field, k.label, col, display(arg))
		return zero, false, nil
	}
	return v, err == nil, err
}

// key picks the attribute a reference is resolved by: the id when one is
// given, the other attribute otherwise. arg is nil for an id of the wrong type.
func (k refKind[T]) key(in refInput) (col string, arg any, ok bool) {
	raw := bytes.TrimSpace(in.ID)
	if len(raw) > 0 && string(raw) != "null" {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			if k.stringID {
				return "id", s, true
			}
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return "id", n, true
			}
			return "id", nil, true
		}
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			if k.stringID {
				return "id", strconv.FormatInt(n, 10), true
			}
			return "id", n, true
		}
		return "id", nil, true
	}
	if alt := k.altOf(in); alt != nil {
		return k.alt, *alt, true
	}
	return "", nil, false
}

func display(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// querier is what both store.Reader and *store.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *store.Row
	QueryContext(ctx context.Context, query string, args ...any) (*store.Rows, error)
}

// list returns one page of the table, by id.
func (k refKind[T]) list(ctx context.Context, q querier, pg page) ([]T, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+k.table).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+k.columns+` FROM `+k.table+` ORDER BY id LIMIT ? OFFSET ?`,
		pg.PerPage, pg.offset())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := k.scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}

// listHandler handles GET /ga/api/v2/<objects>: every caller may discover
// what an organization can refer to.
func (k refKind[T]) listHandler(a *API) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		pg, err := parsePage(r)
		if err != nil {
			return err
		}
		items, total, err := k.list(r.Context(), a.reads(), pg)
		if err != nil {
			return err
		}
		k.writePage(w, items, pg, total)
		return nil
	}
}

// writePage writes a page of items as the package's writePage does.
func (k refKind[T]) writePage(w http.ResponseWriter, items []T, pg page, total int) {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b := append(*buf, dataOpen...)
	b = append(b, '[')
	for i, v := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = k.appendJSON(b, v)
	}
	*buf = appendPageEnd(b, pg, total)
	httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
}

// writeOne writes one item as writeData does.
func (k refKind[T]) writeOne(w http.ResponseWriter, v T) {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	*buf = append(k.appendJSON(append(*buf, dataOpen...), v), dataClose...)
	httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
}

// getHandler handles GET /ga/api/v2/<objects>/{id}.
func (k refKind[T]) getHandler(a *API) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := httpx.PathParam(r, "id")
		var arg any = id
		if !k.stringID {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return notFound("%s %q not found", k.label, id)
			}
			arg = n
		}
		v, err := k.scan(a.reads().QueryRowContext(r.Context(), `SELECT `+k.columns+` FROM `+k.table+` WHERE id = ?`, arg))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("%s %q not found", k.label, id)
		}
		if err != nil {
			return err
		}
		k.writeOne(w, v)
		return nil
	}
}

// The lists and gets of references resolve the caller's key inside their
// own statement (httpx.Direct), as the organizations' hottest routes do:
// every key that authenticates may read them. What they leave (no or a
// malformed key, a key that does not authenticate, a bad page or id, an
// empty page, nothing with that id, a failing statement) takes the general
// path, authenticate and then the handler, which answers as always.

// prefixed is a row whose first columns go to dest before the scan's own.
type prefixed struct {
	sc   scanner
	dest []any
}

func (p prefixed) Scan(dest ...any) error { return p.sc.Scan(append(p.dest, dest...)...) }

// listDirectSQL and getDirectSQL are the direct statements (TestReferencePlans).
func (k refKind[T]) listDirectSQL() string {
	return `SELECT ` + keyColumns + `, (SELECT count(*) FROM ` + k.table + `), t.` + strings.ReplaceAll(k.columns, ", ", ", t.") + `
		FROM ` + keyTables + ` JOIN ` + k.table + ` t WHERE k.id = ? ORDER BY t.id LIMIT ? OFFSET ?`
}

func (k refKind[T]) getDirectSQL() string {
	return `SELECT ` + keyColumns + `, x.*
		FROM (SELECT ` + k.columns + ` FROM ` + k.table + ` WHERE id = ?) x, ` + keyTables + ` WHERE k.id = ?`
}

// listDirect is listHandler in one statement (arguments: the key's id,
// LIMIT, OFFSET): a row per item of the page, in the table's order (no
// sort), each with the key and the total.
func (k refKind[T]) listDirect(a *API) func(w http.ResponseWriter, r *http.Request) *http.Request {
	query := k.listDirectSQL()
	return func(w http.ResponseWriter, r *http.Request) *http.Request {
		keyID, secret, err := basicKey(r)
		if err != nil {
			return r
		}
		pg, err := parsePage(r)
		if err != nil {
			return r
		}
		rows, err := a.reads().QueryContext(r.Context(), query, keyID, pg.PerPage, pg.offset())
		if err != nil {
			return r
		}
		defer rows.Close()
		var items []T
		var total int
		var ks keyScan
		row := prefixed{rows, append(ks.dest(), &total)}
		for rows.Next() {
			v, err := k.scan(row)
			if err != nil {
				return r
			}
			items = append(items, v)
		}
		if rows.Err() != nil || len(items) == 0 {
			return r
		}
		if _, err := ks.caller(secret, nil); err != nil {
			return r
		}
		k.writePage(w, items, pg, total)
		return nil
	}
}

// getDirect is getHandler in one statement (arguments: the id, the key's id).
func (k refKind[T]) getDirect(a *API) func(w http.ResponseWriter, r *http.Request) *http.Request {
	query := k.getDirectSQL()
	return func(w http.ResponseWriter, r *http.Request) *http.Request {
		keyID, secret, err := basicKey(r)
		if err != nil {
			return r
		}
		id := httpx.PathParam(r, "id")
		var arg any = id
		if !k.stringID {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return r
			}
			arg = n
		}
		var ks keyScan
		v, err := k.scan(prefixed{a.reads().QueryRowContext(r.Context(), query, arg, keyID), ks.dest()})
		if err != nil {
			return r
		}
		if _, err := ks.caller(secret, nil); err != nil {
			return r
		}
		k.writeOne(w, v)
		return nil
	}
}
