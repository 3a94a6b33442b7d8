package jsonapi

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the engine's tables (resources, counts, links, tokens), for
// the vendor's store.Schema.
func Migrations() fs.FS { return store.Sub(migrations, "migrations") }

// TimeLayout is how every datetime is written: UTC with microseconds.
// Fixed width, so stored values sort as text in time order.
const TimeLayout = "2006-01-02T15:04:05.000000+00:00"

// FormatTime writes t in TimeLayout. Every request formats the emulated
// clock's time at least once (the token's check), so the fixed-width digits
// are written by hand: time.Format reads its layout again at each call.
func FormatTime(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 { // not four digits: as time.Format writes it
		return t.Format(TimeLayout)
	}
	hour, minute, sec := t.Clock()
	b := []byte("0000-00-00T00:00:00.000000+00:00")
	digits := func(at, n, v int) {
		for i := at + n - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	digits(0, 4, year)
	digits(5, 2, int(month))
	digits(8, 2, day)
	digits(11, 2, hour)
	digits(14, 2, minute)
	digits(17, 2, sec)
	digits(20, 6, t.Nanosecond()/1000) // truncated, as the layout's .000000
	return string(b)
}

// Record is one stored resource. Attrs holds every attribute value as raw
// JSON; rendering orders them by the type's attribute list.
type Record struct {
	Type      string
	ID        string
	OrgID     string
	ParentID  string
	CreatedAt string
	Attrs     map[string]json.RawMessage

	// stored is the attributes' text as read by queryStored, which leaves
	// Attrs nil (undecoded) until decodeStored. The accessors (Str, Bool,
	// Int, Strs, Decode) read either; code reading Attrs itself decodes
	// first (a hook only gets such a record from Call.View, or in a page's
	// Prefetch and a Splice hook).
	stored    string
	undecoded bool
	members   []member  // stored, indexed (storedMembers)
	form      []byte    // stored's splice form, when it checked out (else nil)
	formSpec  *formSpec // what form places
}

// value is an attribute's JSON text, decoded or as stored (false when
// absent). Of the stored text it is a view, not a copy (a render reads a
// few members of each person a channel shows, and decoding them all was
// most of their cost): read it, never change it.
func (r *Record) value(name string) (json.RawMessage, bool) {
	if r.undecoded {
		if v, present, known := r.storedMember(name); known {
			return unsafe.Slice(unsafe.StringData(v), len(v)), present
		}
		if err := r.decodeStored(); err != nil {
			return nil, false // as a decode that failed leaves it: absent
		}
	}
	v, ok := r.Attrs[name]
	return v, ok
}

// Str reads a string attribute ("" when absent or not a string).
func (r *Record) Str(name string) string {
	if r.undecoded {
		if v, present, known := r.storedMember(name); known {
			if !present {
				return ""
			}
			return jsonString(v) // a plain string is a part of the stored text, not a copy
		}
	}
	v, ok := r.value(name)
	if !ok {
		return ""
	}
	return jsonString(v)
}

// jsonString is the string v holds ("" when v is not a string).
func jsonString[T ~string | ~[]byte](v T) string {
	if s, ok := plainJSONString(v); ok {
		return s
	}
	var s string
	_ = json.Unmarshal([]byte(v), &s)
	return s
}

// plainJSONString is the string a JSON string of printable ASCII without
// escapes holds (what json.Unmarshal gives without its reflection); ok is
// false for any other value. Of a string, it is a part of it (no copy).
func plainJSONString[T ~string | ~[]byte](v T) (string, bool) {
	n := len(v)
	if n < 2 || v[0] != '"' || v[n-1] != '"' {
		return "", false
	}
	for i := 1; i < n-1; i++ {
		if c := v[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(v[1 : n-1]), true
}

// Bool reads a boolean attribute.
func (r *Record) Bool(name string) bool {
	v, ok := r.value(name)
	if !ok {
		return false
	}
	switch string(v) {
	case "true":
		return true
	case "false":
		return false
	}
	var b bool
	_ = json.Unmarshal(v, &b)
	return b
}

// Int reads an integer attribute.
func (r *Record) Int(name string) int64 {
	v, ok := r.value(name)
	if !ok {
		return 0
	}
	if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return n // a plain integer, read without json.Unmarshal's allocations
	}
	var n int64
	_ = json.Unmarshal(v, &n)
	return n
}

// Strs reads an array-of-strings attribute.
func (r *Record) Strs(name string) []string {
	var s []string
	if v, ok := r.value(name); ok {
		s, _ = DecodeStrings(string(v))
	}
	return s
}

// DecodeStrings is json.Unmarshal of an array of strings: SQLite's
// json_group_array of ids, say. A compact array of plain strings
// (plainJSONString) is read without Unmarshal's reflection.
func DecodeStrings(text string) ([]string, error) {
	if n := len(text); n >= 2 && text[0] == '[' && text[n-1] == ']' {
		if n == 2 {
			return []string{}, nil
		}
		out := make([]string, 0, strings.Count(text, ",")+1)
		for part := range strings.SplitSeq(text[1:n-1], ",") {
			s, ok := plainJSONString(part)
			if !ok {
				out = nil
				break
			}
			out = append(out, s)
		}
		if out != nil {
			return out, nil
		}
	}
	var out []string
	err := json.Unmarshal([]byte(text), &out)
	return out, err
}

// Set stores any JSON-encodable value as an attribute.
func (r *Record) Set(name string, v any) {
	raw, ok := quickJSON(v)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			panic(fmt.Sprintf("jsonapi: attribute %s: %v", name, err)) // only our own values are set here
		}
	}
	if r.Attrs == nil {
		r.Attrs = map[string]json.RawMessage{}
	}
	r.Attrs[name] = raw
}

// A JSONAppender appends itself as json.Marshal writes it (compact, <, >
// and & escaped), without its reflection: Record.Set takes its bytes as
// they are. A type's tests compare the two.
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

// quickJSON is json.Marshal of the values hooks set most (booleans, nil,
// strings, integers, JSONAppenders) without its reflection; ok is false for
// any other value.
func quickJSON(v any) (json.RawMessage, bool) {
	switch v := v.(type) {
	case nil:
		return json.RawMessage("null"), true
	case JSONAppender:
		buf := httpx.Buffer() // one allocation for the value, not one per growth
		defer httpx.ReleaseBuffer(buf)
		*buf = v.AppendJSON((*buf)[:0])
		return slices.Clone(*buf), true
	case bool:
		if v {
			return json.RawMessage("true"), true
		}
		return json.RawMessage("false"), true
	case string:
		return httpx.AppendJSONString(make([]byte, 0, len(v)+2), v, true), true // json.Marshal escapes HTML
	case int:
		return strconv.AppendInt(nil, int64(v), 10), true
	case int64:
		return strconv.AppendInt(nil, v, 10), true
	}
	return nil, false
}

// Decode reads an attribute into v (left unchanged when absent or null).
func (r *Record) Decode(name string, v any) {
	if raw, ok := r.value(name); ok && string(raw) != "null" && !decodeQuick(raw, v) {
		_ = json.Unmarshal(raw, v)
	}
}

// decodeQuick is json.Unmarshal into the targets renders decode most (a
// string, a nullable string, a list of references) of a value in their plain
// stored form, without its reflection (a tenth of a courier channel's GET
// went to Decode); ok is false for any other target or form, which
// json.Unmarshal then decodes.
func decodeQuick(raw json.RawMessage, v any) bool {
	switch v := v.(type) {
	case *string:
		s, ok := plainJSONString(raw)
		if ok {
			*v = s
		}
		return ok
	case **string:
		s, ok := plainJSONString(raw)
		if !ok {
			return false
		}
		if *v != nil {
			**v = s // as Unmarshal fills what a pointer points to
		} else {
			*v = &s
		}
		return true
	case *[]IDRef:
		refs, ok := plainIDRefs(raw, (*v)[:0])
		if ok {
			*v = refs
		}
		return ok
	}
	return false
}

// plainIDRefs appends the references of a compact array of {"id":...}
// objects whose ids are plain strings (plainJSONString) to refs, as
// json.Unmarshal would into a slice (never nil); ok is false, and refs
// untouched, for any other text.
func plainIDRefs(raw json.RawMessage, refs []IDRef) ([]IDRef, bool) {
	if !eachPlainID(raw, func(string) {}) { // refs' array may be the caller's: write it only when all is read
		return nil, false
	}
	if refs == nil {
		refs = []IDRef{}
	}
	eachPlainID(raw, func(id string) { refs = append(refs, IDRef{ID: id}) })
	return refs, true
}

// eachPlainID calls f with each id of the array plainIDRefs reads, and
// reports whether raw is one.
func eachPlainID(raw json.RawMessage, f func(id string)) bool {
	const open = `{"id":`
	n := len(raw)
	if n < 2 || raw[0] != '[' || raw[n-1] != ']' {
		return false
	}
	for i := 1; i < n-1; {
		if i+len(open) >= n || string(raw[i:i+len(open)]) != open {
			return false
		}
		i += len(open)
		if raw[i] != '"' {
			return false
		}
		end := i + 1 // the id's closing quote
		for end < n && raw[end] != '"' {
			end++
		}
		if end+2 >= n || raw[end+1] != '}' {
			return false
		}
		id, ok := plainJSONString(raw[i : end+1 : end+1])
		if !ok {
			return false
		}
		f(id)
		i = end + 2
		switch {
		case i == n-1:
		case raw[i] == ',' && i+1 < n-1:
			i++
		default:
			return false
		}
	}
	return true
}

// RecordColumns are what a Record is read from, in a table that keeps no
// attribute in a column of its own (else Engine.RecordColumns).
const RecordColumns = `type, id, org_id, parent_id, created_at, attrs`

// errStoredAttrs is a record's stored attributes that do not decode.
func errStoredAttrs(r *Record, err error) error {
	return fmt.Errorf("jsonapi: %s %s: stored attributes: %w", r.Type, r.ID, err)
}

// The reads of links (TestEngineQueryPlans checks their plans, and
// loadRecordSQL's).
const (
	linkAttrsSQL = `SELECT attrs FROM cr_links WHERE rel = ? AND from_id = ? AND to_id = ?`
	linkedToSQL  = `SELECT to_id FROM cr_links WHERE rel = ? AND from_id = ? ORDER BY created_at, to_id`
)

// LoadRecord reads one resource by type and id, whoever may see it, its
// attributes decoded; nil when there is none.
func (e *Engine) LoadRecord(ctx context.Context, tx *store.Tx, typ, id string) (*Record, error) {
	r, err := e.LoadStored(ctx, tx, typ, id)
	if err != nil || r == nil {
		return nil, err
	}
	if err := r.decodeStored(); err != nil {
		return nil, err
	}
	return r, nil
}

// LoadStored is LoadRecord with the attributes left as stored (queryStored):
// for a read that finds a few members (with the accessors, never Attrs) or
// splices the text.
func (e *Engine) LoadStored(ctx context.Context, tx *store.Tx, typ, id string) (*Record, error) {
	recs, err := queryStored(ctx, tx, nil, 1, e.tableSQL(e.Table(typ)).load, typ, id)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// QueryRecords runs a SELECT of RecordColumns and reads every row.
func QueryRecords(ctx context.Context, tx *store.Tx, query string, args ...any) ([]*Record, error) {
	recs, err := queryStored(ctx, tx, nil, 0, query, args...)
	if err != nil {
		return nil, err
	}
	return recs, decodeAll(recs)
}

// decodeAll decodes the attributes queryStored left as text, record by
// record.
func decodeAll(recs []*Record) error {
	for _, r := range recs {
		if err := r.decodeStored(); err != nil {
			return err
		}
	}
	return nil
}

// searchText is the lower-cased text filter[text] looks in: the values of the
// named string attributes.
func searchText(r *Record, names []string) string {
	var parts []string
	for _, n := range names {
		if s := r.Str(n); s != "" {
			parts = append(parts, strings.ToLower(s))
		}
	}
	return strings.Join(parts, "\n")
}

func (e *Engine) insertRecord(ctx context.Context, tx *store.Tx, r *Record, text string) error {
	ReachFrom(ctx).Add(r.OrgID)
	t := e.tableSQL(e.Table(r.Type))
	attrs, values, err := e.row(t, r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, t.insert, append([]any{r.Type, r.ID, r.OrgID, r.ParentID, r.CreatedAt, text, attrs}, values...)...)
	return err
}

func (e *Engine) updateRecord(ctx context.Context, tx *store.Tx, r *Record, text string) error {
	ReachFrom(ctx).Add(r.OrgID)
	t := e.tableSQL(e.Table(r.Type))
	attrs, values, err := e.row(t, r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, t.update, append(append([]any{r.OrgID, r.ParentID, text, attrs}, values...), r.Type, r.ID)...)
	return err
}

// row is what insert and update write of a record in its table t: its
// stored attributes and the values that follow them, its columns' (split)
// and, in a table that keeps them, its splice form (nil, NULL, when the
// attributes are not in their answer's form or the type keeps none).
func (e *Engine) row(t *tableSQL, r *Record) (attrs string, values []any, err error) {
	attrs, values, err = t.split(r)
	if err != nil || !t.form {
		return attrs, values, err
	}
	if f := e.forms[r.Type]; f != nil {
		if form := f.form(attrs); form != nil {
			return attrs, append(values, form), nil
		}
	}
	return attrs, append(values, nil), nil
}

// split is the stored form of a record in the table: the attrs JSON without
// the attributes kept in columns or counts, and the values of those columns
// in the table's order (a string, or nil for null). The counts are the
// triggers' to write.
func (t *tableSQL) split(r *Record) (attrs string, values []any, err error) {
	for _, c := range t.columns {
		var v *string
		if raw, ok := r.Attrs[c.attr]; ok && !decodeQuick(raw, &v) {
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", nil, fmt.Errorf("jsonapi: %s %s: %s is kept in a column and must be a string or null: %w", r.Type, r.ID, c.attr, err)
			}
		}
		if v == nil {
			values = append(values, nil)
		} else {
			values = append(values, *v)
		}
	}
	return encodeAttrs(r.Attrs, t.omit...), values, nil
}

func (e *Engine) DeleteRecord(ctx context.Context, tx *store.Tx, typ, id string) error {
	_, err := tx.ExecContext(ctx, e.tableSQL(e.Table(typ)).delete, typ, id)
	return err
}

// Links: relations between resources (see the cr_links migration).

func AddLink(ctx context.Context, tx *store.Tx, rel, from, to, at string, attrs any) error {
	raw := "{}"
	if attrs != nil {
		b, err := json.Marshal(attrs)
		if err != nil {
			return err
		}
		raw = string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (rel, from_id, to_id) DO UPDATE SET attrs = excluded.attrs`, rel, from, to, at, raw)
	return err
}

func RemoveLink(ctx context.Context, tx *store.Tx, rel, from, to string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM cr_links WHERE rel = ? AND from_id = ? AND to_id = ?`, rel, from, to)
	return err
}

// LinkAttrs reads the attributes of one link into v; false when there is no such link.
func LinkAttrs(ctx context.Context, tx *store.Tx, rel, from, to string, v any) (bool, error) {
	var raw string
	err := tx.QueryRowContext(ctx, linkAttrsSQL, rel, from, to).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if v != nil {
		if err := json.Unmarshal([]byte(raw), v); err != nil {
			return false, err
		}
	}
	return true, nil
}

// LinkedTo lists the to_ids of from, in link order.
func LinkedTo(ctx context.Context, tx *store.Tx, rel, from string) ([]string, error) {
	return StringColumn(ctx, tx, linkedToSQL, rel, from)
}

// StringColumn reads the one text column of a query's rows (never nil).
func StringColumn(ctx context.Context, tx *store.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func SortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
