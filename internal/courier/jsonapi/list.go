package jsonapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// ListQuery is the SQL of one list, built from the scope, the parameters and
// the sort; hooks add conditions through Where.
type ListQuery struct {
	where []string
	args  []any
	order []orderTerm
	// orgs and parent are the scope. With no condition beyond them, the total
	// comes from cr_counts instead of counting rows; so it does when every
	// condition came with its count (WhereCounted): total is the last one.
	orgs      []string
	parent    string
	uncounted bool
	total     *int64
	index     string
}

// orderTerm is one sort key of a list.
type orderTerm struct {
	expr string
	desc bool
}

// direction is the SQL of the term's direction.
func (t orderTerm) direction() string {
	if t.desc {
		return " DESC"
	}
	return ""
}

// Where adds a condition (SQL over the type's table) to the list.
func (q *ListQuery) Where(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
	q.uncounted = true
	q.total = nil
}

// WhereCounted adds a condition whose rows a hook keeps counted (counters
// kept by triggers): n is how many rows of the list's scope match it and
// every condition added before it. When every condition came with its count,
// the total is read, not counted.
func (q *ListQuery) WhereCounted(n int64, cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
	if !q.uncounted {
		q.total = &n
	}
}

// Counting reports whether every condition so far came with its count: a hook
// that counts its condition together with the earlier ones needs to know.
func (q *ListQuery) Counting() bool { return !q.uncounted }

// Orgs are the organizations the list is scoped to (nil for a resource that
// scopes itself).
func (q *ListQuery) Orgs() []string { return q.orgs }

// Parent scopes the list to the children of id, as the parent's parameter does.
func (q *ListQuery) Parent(id string) { q.parent = id }

// IndexedBy names the index the page is read through, for a hook that knows
// which plan its condition needs ("" lets the planner choose).
func (q *ListQuery) IndexedBy(index string) { q.index = index }

// Conditions are the conditions Where added, joined by AND, with their
// arguments: for hooks that reuse a parameter's condition in their own SQL.
func (q *ListQuery) Conditions() (string, []any) {
	return strings.Join(q.where, " AND "), q.args
}

// OrderBy adds a sort expression before the default order.
func (q *ListQuery) OrderBy(expr string) { q.order = append(q.order, orderTerm{expr: expr}) }

// JSONAttr is the SQL of one stored attribute.
func JSONAttr(name string) string {
	return `json_extract(attrs, '$."` + strings.ReplaceAll(name, `"`, ``) + `"')`
}

// listQuery turns the validated query of a list into SQL.
func (c *Call) listQuery() (*ListQuery, error) {
	q := &ListQuery{}
	res := c.Res
	// Scope: the organization parameter (403 outside the caller's), else every
	// organization of the caller, unless the resource scopes itself.
	if res.Scope != nil {
		cond, args := res.Scope(c)
		q.Where(cond, args...)
	} else {
		orgs := c.Caller.Orgs
		if c.Query.Has("organization-id") {
			org := LowerID(c.Query.Get("organization-id"))
			if !c.Caller.Member(org) {
				return nil, &Error{Status: http.StatusForbidden, Code: CodePermission, Parameter: "organization-id",
					Detail: "You do not have permission to perform this action in organization " + org + "."}
			}
			orgs = []string{org}
		}
		q.orgs = orgs
	}
	if res.ListFilter != nil {
		if err := res.ListFilter(c, q); err != nil {
			return nil, err
		}
	}
	decl := c.Engine.declared[res.Type]
	for _, key := range c.Query.order {
		if hook, ok := res.Params[key]; ok {
			if err := hook(c, q, c.Query.Get(key)); err != nil {
				return nil, err
			}
			continue
		}
		switch {
		case key == "page[limit]" || key == "page[offset]" || key == "sort" || key == "organization-id":
			continue
		case res.Parent != nil && key == res.Parent.Attr:
			q.parent = LowerID(c.Query.Get(key))
			continue
		case key == "filter[text]":
			q.Where(`text LIKE ? ESCAPE '\'`, "%"+likeEscape(strings.ToLower(c.Query.Get(key)))+"%")
			continue
		case strings.HasPrefix(key, "filter[cmp-"):
			name := strings.TrimSuffix(strings.TrimPrefix(key, "filter[cmp-"), "]")
			col := c.Engine.AttrExpr(res.Type, name)
			if name == "created-at" {
				col = "created_at"
			}
			for _, v := range c.Query.All(key) {
				op, t, err := ParseComparison(v)
				if err != nil {
					return nil, ErrParam(key, "%s", err.Error())
				}
				q.Where(col+" "+op+" ?", t)
			}
			continue
		}
		name := key
		if strings.HasPrefix(key, "filter[") {
			name = strings.TrimSuffix(strings.TrimPrefix(key, "filter["), "]")
		}
		at, ok := decl[name]
		if !ok {
			continue // a rendering flag (thumbnail, include-phrases, ...): read by the hooks
		}
		q.whereAttr(c.Engine.AttrExpr(res.Type, at.Name), at, c.Query.Get(key), c.Query.params[key].Kind)
	}
	for _, s := range c.Query.All("sort") {
		desc := strings.HasPrefix(s, "-")
		key := strings.TrimPrefix(s, "-")
		expr, ok := res.Sort[key]
		if !ok {
			expr = c.Engine.AttrExpr(res.Type, key)
			if key == "created-at" {
				expr = "created_at"
			}
		}
		q.order = append(q.order, orderTerm{expr: expr, desc: desc})
	}
	return q, nil
}

// whereAttr adds an exact match on an attribute (expr, its SQL): booleans as
// true/false, UUIDs case-insensitively.
func (q *ListQuery) whereAttr(expr string, at Attr, v, kind string) {
	switch {
	case kind == "boolean" || at.Kind == "boolean":
		b, _ := ParseBool(v)
		q.Where(expr+" = ?", b)
	case at.Format == "uuid":
		q.Where("lower("+expr+") = ?", LowerID(v))
	case at.Kind == "integer":
		q.Where(expr+" = CAST(? AS INTEGER)", v)
	default:
		q.Where(expr+" = ?", v)
	}
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Statement is one SQL statement with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// statements are the SQL of one page (limit < 0: everything) and of the
// total; none when the caller has no organization to list.
//
// Every statement seeks: a list over several organizations reads each
// organization through its own index range and merges them in order (a
// compound SELECT with ORDER BY merges without sorting), so that an index on
// (org_id, <filter>, created_at, id) serves one organization and several
// alike; the total adds the counts of each organization. A parent's children
// are read through the parent's range.
func (q *ListQuery) statements(c *Call, limit, offset int64) (page, total Statement, none bool) {
	if q.orgs != nil && len(q.orgs) == 0 {
		return page, total, true
	}
	table := c.Engine.Table(c.Res.Type)
	columns, form := c.Engine.RecordColumns(table), ""
	if c.Engine.forms[c.Res.Type] != nil {
		form = ", " + formColumn // run reads it (queryStored)
	}
	index := q.index
	if index == "" && len(q.where) == 0 && len(q.order) == 0 && q.parent != "" {
		index = c.Engine.ParentIndex(table) // the planner may prefer the organization's range
	}
	from := table
	if index != "" {
		from += " INDEXED BY " + index
	}
	// branch is the WHERE clause of the rows of some organizations (none: a
	// list that scopes itself).
	branch := func(orgs []string) (string, []any) {
		// The type is written out, not bound: the planner then knows it when
		// it chooses an index, and may use an index limited to the type.
		where := []string{"type = " + quote(c.Res.Type)}
		var args []any
		if len(orgs) > 0 {
			where = append(where, "org_id IN ("+Placeholders(len(orgs))+")")
			args = AppendArgs(args, orgs...)
		}
		if q.parent != "" {
			where = append(where, "parent_id = ?")
			args = append(args, q.parent)
		}
		return strings.Join(append(where, q.where...), " AND "), append(args, q.args...)
	}
	// One branch per organization, except for a parent's children: those
	// are one range of the parent's index, where an organization that holds
	// none of them would be read to its end for nothing.
	sets := [][]string{nil}
	if q.orgs != nil {
		sets = [][]string{q.orgs}
		if q.parent == "" {
			sets = nil
			for _, o := range q.orgs {
				sets = append(sets, []string{o})
			}
		}
	}
	var wheres []string
	var args [][]any
	for _, set := range sets {
		w, a := branch(set)
		wheres = append(wheres, w)
		args = append(args, a)
	}
	var order []string
	for _, t := range q.order {
		order = append(order, t.expr+t.direction())
	}
	for _, k := range []string{"created_at", "id"} {
		// A key already sorted on decides nothing the second time, and a
		// repeated key keeps SQLite from reading an index in order.
		if !slices.ContainsFunc(q.order, func(t orderTerm) bool { return t.expr == k }) {
			order = append(order, k)
		}
	}
	if len(wheres) == 1 {
		page = Statement{SQL: `SELECT ` + columns + form + ` FROM ` + from + ` WHERE ` + wheres[0] + ` ORDER BY ` +
			strings.Join(order, ", ") + ` LIMIT ? OFFSET ?`, Args: append(append([]any(nil), args[0]...), limit, offset)}
	} else {
		// A compound SELECT orders by its result columns: the sort keys are
		// selected too (k0, k1, ...) and dropped by the outer SELECT.
		cols, keys := columns+form, []string{}
		for i, t := range q.order {
			k := "k" + strconv.Itoa(i)
			cols += ", " + t.expr + " AS " + k
			keys = append(keys, k+t.direction())
		}
		var parts []string
		var all []any
		for i, w := range wheres {
			parts = append(parts, `SELECT `+cols+` FROM `+from+` WHERE `+w)
			all = append(all, args[i]...)
		}
		for _, k := range order[len(q.order):] {
			keys = append(keys, k)
		}
		sql := strings.Join(parts, " UNION ALL ") + ` ORDER BY ` + strings.Join(keys, ", ") + ` LIMIT ? OFFSET ?`
		if len(q.order) > 0 {
			outer := RecordColumns
			if columns != RecordColumns {
				outer = `type, id, org_id, parent_id, created_at, ` + mergedAttrs
			}
			sql = `SELECT ` + outer + form + ` FROM (` + sql + `)`
		}
		page = Statement{SQL: sql, Args: append(all, limit, offset)}
	}
	switch {
	case len(q.where) == 0 && q.orgs != nil:
		// Only scoped: the triggers' counts answer without counting rows.
		// The caller's organizations do not repeat (Caller.Orgs).
		cq := `SELECT COALESCE(SUM(n), 0) FROM ` + ValuesList(len(q.orgs)) + ` CROSS JOIN cr_counts
			WHERE type = ` + quote(c.Res.Type) + ` AND org_id = v.column1`
		cargs := AppendArgs(nil, q.orgs...)
		if q.parent != "" {
			cq += ` AND parent_id = ?`
			cargs = append(cargs, q.parent)
		}
		total = Statement{SQL: cq, Args: cargs}
	case q.total != nil:
		total = Statement{SQL: `SELECT ?`, Args: []any{*q.total}}
	default:
		var parts []string
		var all []any
		for i, w := range wheres {
			parts = append(parts, `(SELECT count(*) FROM `+table+` WHERE `+w+`)`)
			all = append(all, args[i]...)
		}
		total = Statement{SQL: `SELECT ` + strings.Join(parts, " + "), Args: all}
	}
	return page, total, false
}

// run reads one page (limit < 0: everything) and the total; decode false
// leaves the records' attributes as stored (queryStored).
func (q *ListQuery) run(c *Call, limit, offset int64, wantTotal, decode bool) ([]*Record, int64, error) {
	page, count, none := q.statements(c, limit, offset)
	if none {
		return []*Record{}, 0, nil
	}
	// The total first: the page then makes room for the records it holds,
	// not for its limit (a list of two in a page of 100).
	size := min(max(limit, 0), 1000) // 0: as they come
	var total int64
	if wantTotal {
		if err := c.Tx.QueryRowContext(c.Ctx, count.SQL, count.Args...).Scan(&total); err != nil {
			return nil, 0, err
		}
		left := max(total-max(offset, 0), 0)
		if limit < 0 {
			size = min(left, 1000)
		} else {
			size = min(size, left)
		}
	}
	recs, err := queryStored(c.Ctx, c.Tx, c.Engine.forms[c.Res.Type], int(size), page.SQL, page.Args...)
	if err != nil {
		return nil, 0, err
	}
	if decode {
		if err := decodeAll(recs); err != nil {
			return nil, 0, err
		}
	}
	if recs == nil {
		recs = []*Record{}
	}
	if err := q.reach(c); err != nil {
		return nil, 0, err
	}
	if !wantTotal {
		return recs, int64(len(recs)), nil
	}
	return recs, total, nil
}

// reach adds to the request's Reach the organizations the list's total may
// count beyond its page: every organization listed, or, for a parent's
// children, those the parent has children in.
func (q *ListQuery) reach(c *Call) error {
	reach := ReachFrom(c.Ctx)
	if reach == nil || q.orgs == nil {
		return nil
	}
	if q.parent == "" {
		reach.Add(q.orgs...)
		return nil
	}
	orgs, err := StringColumn(c.Ctx, c.Tx, childOrgsSQL, c.Res.Type, q.parent)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if contains(q.orgs, o) {
			reach.Add(o)
		}
	}
	return nil
}

// childOrgsSQL reads the organizations a parent has children of a type in.
const childOrgsSQL = `SELECT org_id FROM cr_counts WHERE type = ? AND parent_id = ? AND n > 0`

// quote is s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Placeholders is n bound parameters, for an IN (...) list.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// ValuesList is a VALUES clause of n rows of one bound parameter each,
// "(VALUES (?), (?)) AS v", whose column v.column1 a statement joins on
// where it would say "IN (?, ?)": for a list of more than one value, IN
// makes SQLite build a temporary index of the list at every run, which
// costs about 2 µs in this pure-Go SQLite (a count of two organizations
// 3.3 µs, 1.3 as a join); a join reads the list as it is. Unlike IN, a
// join repeats a row for a repeated value: the list must not repeat one.
func ValuesList(n int) string {
	return `(VALUES ` + strings.TrimSuffix(strings.Repeat("(?), ", n), ", ") + `) AS v`
}

// AppendArgs appends strings (the ids of an IN (...) list) to a statement's
// arguments.
func AppendArgs(args []any, ss ...string) []any {
	for _, s := range ss {
		args = append(args, s)
	}
	return args
}

// list handles GET <path> for every resource type: scoping, parameters,
// filters, sort, paging, links.
func (e *Engine) list(c *Call) (*Answer, error) {
	lq, err := c.listQuery()
	if err != nil {
		return nil, err
	}
	paged, limit, offset := c.listPage()
	res := c.Engine.byType[c.Res.Type]
	_, sparse := c.Query.fieldsOf(c.Res.Type)
	spliced := res.spliceable() && !sparse
	recs, total, err := lq.run(c, limit, offset, paged, !spliced)
	if err != nil {
		return nil, err
	}
	if res.Prefetch != nil && len(recs) > 0 {
		if err := res.Prefetch(c, recs); err != nil {
			return nil, err
		}
	}
	data, err := c.renderAll(recs)
	if err != nil {
		return nil, err
	}
	if !paged {
		return &Answer{Status: status(c.Op, http.StatusOK), ContentType: ContentTypeAPI, Body: plainListDoc{Data: data}}, nil
	}
	return c.PageAnswer(data, limit, offset, total), nil
}

// listPage is whether the list is paged and the bounds of its page (limit -1:
// everything).
func (c *Call) listPage() (paged bool, limit, offset int64) {
	if c.Res.NoPaging || c.Query.params["page[limit]"].Name == "" {
		return false, -1, 0
	}
	limit, offset = c.PageBounds()
	return true, limit, offset
}

// ListSQL is the SQL the list operation opID would run for r (its caller and
// query string), built by the list handler's own code but not run: the page
// and the total. Tests read the query plans of every list through it. Hooks
// that scope or filter may read through tx.
func (e *Engine) ListSQL(ctx context.Context, tx *store.Tx, r *http.Request, opID string) (page, total Statement, err error) {
	var res *Resource
	for _, x := range e.resources {
		if x.List == opID && x.Lister == nil {
			res = x
			break
		}
	}
	op := e.ops[opID]
	if res == nil || op == nil {
		return page, total, fmt.Errorf("jsonapi: %s is not a stored list", opID)
	}
	q, err := parseQuery(op, e.types, r.URL.RawQuery)
	if err != nil {
		return page, total, err
	}
	c := &Call{Ctx: ctx, Tx: tx, Engine: e, Req: r, Caller: CallerFrom(r.Context()), Op: op, Query: q, Res: res,
		Now: FormatTime(e.Clock.Now())}
	lq, err := c.listQuery()
	if err != nil {
		return page, total, err
	}
	_, limit, offset := c.listPage()
	page, total, none := lq.statements(c, limit, offset)
	if none {
		return page, total, fmt.Errorf("jsonapi: %s: the caller has no organization to list", opID)
	}
	return page, total, nil
}

// PageOf answers one page of a list an action computes (a record's children
// as only some callers may see them): the records the statement page reads,
// rendered, with the total the statement total counts.
func (c *Call) PageOf(page, total Statement, limit, offset int64) (*Answer, error) {
	var n int64
	if err := c.Tx.QueryRowContext(c.Ctx, total.SQL, total.Args...).Scan(&n); err != nil {
		return nil, err
	}
	recs, err := QueryRecords(c.Ctx, c.Tx, page.SQL, page.Args...)
	if err != nil {
		return nil, err
	}
	data, err := c.renderAll(recs)
	if err != nil {
		return nil, err
	}
	return c.PageAnswer(data, limit, offset, n), nil
}

// renderAll renders a page of records in order, in place (a page's records
// are read for its answer alone), spliced when queryStored read them.
func (c *Call) renderAll(recs []*Record) ([]ResourceObject, error) {
	data := make([]ResourceObject, 0, len(recs))
	// Room for what splice writes of the records without a splice form
	// (those with one are written with the answer): about as long as their
	// stored attributes.
	n := 0
	for _, rec := range recs {
		if rec.form == nil {
			n += len(rec.stored) + 16
		}
	}
	if n > 0 {
		c.spliced = make([]byte, 0, n)
	}
	for _, rec := range recs {
		obj, err := c.splice(rec)
		if err != nil {
			return nil, err
		}
		data = append(data, obj)
	}
	return data, nil
}

// PageBounds are the page[limit] and page[offset] of the request, for hooks
// that page a computed list themselves.
func (c *Call) PageBounds() (limit, offset int64) {
	return pageLimit(c.Query), c.Query.Int("page[offset]")
}

// pageLimit is page[limit], else its default, else (for a list that
// documents none) its maximum.
func pageLimit(q *Query) int64 {
	p := q.params["page[limit]"]
	if !q.Has(p.Name) && p.Default == "" && p.Max != nil {
		return *p.Max
	}
	return q.Int("page[limit]")
}

// pageLinks builds first/prev/next/last as absolute URLs that keep every other
// query parameter. A limit of 0 (allowed on one list) pages nowhere.
func (c *Call) pageLinks(limit, offset, total int64) *pageLinks {
	// The request's own parameters, in its order, then the page's: the same
	// text in every link but for the offset.
	var b strings.Builder
	b.WriteString(httpx.BaseURL(c.Req))
	b.WriteString(c.Req.URL.Path)
	b.WriteByte('?')
	for _, k := range c.Query.order {
		if k == "page[offset]" || k == "page[limit]" {
			continue
		}
		for _, v := range c.Query.values[k] {
			b.WriteString(queryKey(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
			b.WriteByte('&')
		}
	}
	b.WriteString("page[limit]=")
	b.WriteString(strconv.FormatInt(limit, 10))
	b.WriteString("&page[offset]=")
	prefix := b.String()
	link := func(off int64) string { return prefix + strconv.FormatInt(off, 10) }
	last := int64(0)
	if limit > 0 && total > 0 {
		last = (total - 1) / limit * limit
	}
	l := &pageLinks{First: link(0), Last: link(last)}
	if offset > 0 && limit > 0 {
		p := link(max(offset-limit, 0))
		l.Prev = &p
	}
	if limit > 0 && total-offset > limit { // (offset+limit could overflow)
		n := link(offset + limit)
		l.Next = &n
	}
	return l
}

// queryKey escapes a parameter name but keeps JSON:API's brackets readable.
func queryKey(k string) string {
	k = url.QueryEscape(k)
	if strings.Contains(k, "%5") {
		k = strings.ReplaceAll(strings.ReplaceAll(k, "%5B", "["), "%5D", "]")
	}
	return k
}

// PageAnswer answers one page of a list with its meta and links.
func (c *Call) PageAnswer(data []ResourceObject, limit, offset, total int64) *Answer {
	return &Answer{Status: status(c.Op, http.StatusOK), ContentType: ContentTypeAPI, Body: listDoc{
		Data: data, Meta: pageMeta{Limit: limit, Offset: offset, Total: total}, Links: c.pageLinks(limit, offset, total),
	}}
}
