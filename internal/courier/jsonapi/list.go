package jsonapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ListQuery is the SQL of one list, built from the scope, the parameters and
// the sort; hooks add conditions through Where.
type ListQuery struct {
	where []string
	args  []any
	order []string
	// scoped only: no condition beyond organization and parent, so the total
	// comes from cr_counts instead of counting rows.
	orgs   []string
	parent string
	custom bool
	index  string
}

// Where adds a condition (SQL over cr_resources) to the list.
func (q *ListQuery) Where(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
	q.custom = true
}

// Conditions are the conditions Where added, joined by AND, with their
// arguments: for hooks that reuse a parameter's condition in their own SQL.
func (q *ListQuery) Conditions() (string, []any) {
	return strings.Join(q.where, " AND "), q.args
}

// OrderBy adds a sort expression before the default order.
func (q *ListQuery) OrderBy(expr string) { q.order = append(q.order, expr) }

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
	decl := map[string]Attr{}
	for _, at := range c.Engine.types[res.Type] {
		decl[at.Name] = at
	}
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
			col := JSONAttr(name)
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
		q.whereAttr(at, c.Query.Get(key), c.Query.params[key].Kind)
	}
	for _, s := range c.Query.All("sort") {
		desc := strings.HasPrefix(s, "-")
		key := strings.TrimPrefix(s, "-")
		expr, ok := res.Sort[key]
		if !ok {
			expr = JSONAttr(key)
			if key == "created-at" {
				expr = "created_at"
			}
		}
		if desc {
			expr += " DESC"
		}
		q.order = append(q.order, expr)
	}
	return q, nil
}

// whereAttr adds an exact match on an attribute: booleans as true/false, UUIDs
// case-insensitively.
func (q *ListQuery) whereAttr(at Attr, v, kind string) {
	switch {
	case kind == "boolean" || at.Kind == "boolean":
		b, _ := ParseBool(v)
		q.Where(JSONAttr(at.Name)+" = ?", b)
	case at.Format == "uuid":
		q.Where("lower("+JSONAttr(at.Name)+") = ?", LowerID(v))
	case at.Kind == "integer":
		q.Where(JSONAttr(at.Name)+" = CAST(? AS INTEGER)", v)
	default:
		q.Where(JSONAttr(at.Name)+" = ?", v)
	}
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// run reads one page (limit < 0: everything) and the total.
func (q *ListQuery) run(c *Call, limit, offset int64, wantTotal bool) ([]*Record, int64, error) {
	where := []string{"type = ?"}
	args := []any{c.Res.Type}
	index := q.index
	if q.orgs != nil {
		if len(q.orgs) == 0 {
			return []*Record{}, 0, nil
		}
		where = append(where, "org_id IN ("+Placeholders(len(q.orgs))+")")
		for _, o := range q.orgs {
			args = append(args, o)
		}
		if len(q.orgs) > 1 && index == "" {
			// Several organizations: walk the type in time order and keep the
			// visible rows, rather than sorting every row of every organization.
			index = "cr_resources_time"
		}
	}
	if q.parent != "" {
		where = append(where, "parent_id = ?")
		args = append(args, q.parent)
		if index == "" || index == "cr_resources_time" {
			index = "cr_resources_parent"
		}
	}
	where = append(where, q.where...)
	args = append(args, q.args...)
	order := append(append([]string(nil), q.order...), "created_at", "id")
	if len(q.order) > 0 {
		index = "" // a custom sort: let the planner choose
	}
	from := "cr_resources"
	if index != "" {
		from += " INDEXED BY " + index
	}
	sqlWhere := strings.Join(where, " AND ")
	query := `SELECT ` + RecordColumns + ` FROM ` + from + ` WHERE ` + sqlWhere + ` ORDER BY ` + strings.Join(order, ", ") +
		` LIMIT ? OFFSET ?`
	recs, err := QueryRecords(c.Ctx, c.Tx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	if recs == nil {
		recs = []*Record{}
	}
	if !wantTotal {
		return recs, int64(len(recs)), nil
	}
	var total int64
	if !q.custom && q.orgs != nil {
		// Only scoped: the triggers' counts answer without counting rows.
		cq := `SELECT COALESCE(SUM(n), 0) FROM cr_counts WHERE type = ? AND org_id IN (` + Placeholders(len(q.orgs)) + `)`
		cargs := []any{c.Res.Type}
		for _, o := range q.orgs {
			cargs = append(cargs, o)
		}
		if q.parent != "" {
			cq += ` AND parent_id = ?`
			cargs = append(cargs, q.parent)
		}
		err = c.Tx.QueryRowContext(c.Ctx, cq, cargs...).Scan(&total)
	} else {
		err = c.Tx.QueryRowContext(c.Ctx, `SELECT count(*) FROM cr_resources WHERE `+sqlWhere, args...).Scan(&total)
	}
	return recs, total, err
}

func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// list handles GET <path> for every resource type: scoping, parameters,
// filters, sort, paging, links.
func (e *Engine) list(c *Call) (*Answer, error) {
	lq, err := c.listQuery()
	if err != nil {
		return nil, err
	}
	paged := !c.Res.NoPaging && c.Query.params["page[limit]"].Name != ""
	limit, offset := int64(-1), int64(0)
	if paged {
		limit, offset = c.PageBounds()
	}
	recs, total, err := lq.run(c, limit, offset, paged)
	if err != nil {
		return nil, err
	}
	if pf := c.Engine.byType[c.Res.Type].Prefetch; pf != nil && len(recs) > 0 {
		if err := pf(c, recs); err != nil {
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

// ListWhere answers a paged JSON:API list of the records of typ matching
// cond (SQL over cr_resources), for actions whose answer is a list.
func (c *Call) ListWhere(typ, cond string, args ...any) (*Answer, error) {
	limit, offset := c.PageBounds()
	all := append([]any{typ}, args...)
	var total int64
	if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(*) FROM cr_resources WHERE type = ? AND `+cond, all...).Scan(&total); err != nil {
		return nil, err
	}
	recs, err := QueryRecords(c.Ctx, c.Tx, `SELECT `+RecordColumns+` FROM cr_resources WHERE type = ? AND `+cond+`
		ORDER BY created_at, id LIMIT ? OFFSET ?`, append(all, limit, offset)...)
	if err != nil {
		return nil, err
	}
	data, err := c.renderAll(recs)
	if err != nil {
		return nil, err
	}
	return c.PageAnswer(data, limit, offset, total), nil
}

// renderAll renders a page of records in order.
func (c *Call) renderAll(recs []*Record) ([]ResourceObject, error) {
	data := make([]ResourceObject, 0, len(recs))
	for _, rec := range recs {
		obj, err := c.Render(rec)
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
	link := func(off int64) string {
		var parts []string
		seen := map[string]bool{}
		for _, k := range c.Query.order {
			switch k {
			case "page[offset]", "page[limit]":
				continue
			}
			for _, v := range c.Query.values[k] {
				parts = append(parts, queryKey(k)+"="+url.QueryEscape(v))
			}
			seen[k] = true
		}
		parts = append(parts, "page[limit]="+strconv.FormatInt(limit, 10), "page[offset]="+strconv.FormatInt(off, 10))
		return baseURL(c.Req) + c.Req.URL.Path + "?" + strings.Join(parts, "&")
	}
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
	return strings.NewReplacer("%5B", "[", "%5D", "]").Replace(url.QueryEscape(k))
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// PageAnswer answers one page of a list with its meta and links.
func (c *Call) PageAnswer(data []ResourceObject, limit, offset, total int64) *Answer {
	return &Answer{Status: status(c.Op, http.StatusOK), ContentType: ContentTypeAPI, Body: listDoc{
		Data: data, Meta: pageMeta{Limit: limit, Offset: offset, Total: total}, Links: c.pageLinks(limit, offset, total),
	}}
}
