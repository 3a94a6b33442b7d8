package loop

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Paging limits: per_page defaults to 20 and is capped at 1000, the maximum the
// docs state for their other lists.
const (
	defaultPerPage = 20
	maxPerPage     = 1000
)

// pageQuery is a list's paging, validated.
type pageQuery struct {
	Page    int
	PerPage int
	Desc    bool // sort_by=desc (the default): newest first
}

// parsePaging reads page, per_page and sort_by; any bad one is 125. An empty
// value is the default, as a missing one is.
func parsePaging(r *http.Request) (pageQuery, error) {
	p, bad := pagingProblems(r)
	if bad != nil {
		return pageQuery{}, invalid(bad...)
	}
	return p, nil
}

// pagingProblems is parsePaging's reading, with what is wrong, for a list
// that has parameters of its own to check in the same 125.
func pagingProblems(r *http.Request) (pageQuery, []string) {
	q := r.URL.Query()
	p := pageQuery{Page: 1, PerPage: defaultPerPage, Desc: true}
	var bad []string
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad = append(bad, "page must be an integer from 1")
		}
		p.Page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPerPage {
			bad = append(bad, "per_page must be an integer from 1 to 1000")
		}
		p.PerPage = n
	}
	switch strings.ToLower(q.Get("sort_by")) {
	case "", "desc":
	case "asc":
		p.Desc = false
	default:
		bad = append(bad, "sort_by must be asc or desc")
	}
	return p, bad
}

// order is the ORDER BY for creation time in the asked direction; seq breaks
// ties between rows created in the same second.
// alias qualifies the columns ("p." for a table aliased p, "" for none).
func (p pageQuery) order(alias string) string {
	if p.Desc {
		return " ORDER BY " + alias + "create_date DESC, " + alias + "seq DESC"
	}
	return " ORDER BY " + alias + "create_date ASC, " + alias + "seq ASC"
}

// window is the LIMIT/OFFSET for this page of count rows, and false when the
// page is past the end (so a huge page number never overflows an offset).
func (p pageQuery) window(count int) (limit, offset int, ok bool) {
	if p.Page-1 > count/p.PerPage {
		return 0, 0, false
	}
	return p.PerPage, p.offset(), true
}

// offset is the page's OFFSET; a page number so large that its offset would
// overflow is past the end anyway.
func (p pageQuery) offset() int {
	if p.Page-1 > math.MaxInt/p.PerPage {
		return math.MaxInt
	}
	return (p.Page - 1) * p.PerPage
}

// numPages is how many pages count rows make. An empty list still has its one
// (empty) first page, as Django's paginator, which the API's trailing slashes
// suggest, answers.
func (p pageQuery) numPages(count int) int {
	return max(1, (count+p.PerPage-1)/p.PerPage)
}

// countSQL reads a count lists answer with, kept by the triggers of
// migration 002 (what: organizations, senders, pools, pool_senders).
const countSQL = `SELECT COALESCE((SELECT n FROM lm_counts WHERE what = ? AND owner = ?), 0)`

// countOwner is the lm_counts owner of the rows a caller reaches (its scope):
// its account for a Default key, its account and organization otherwise.
func (c caller) countOwner() string {
	if c.IsDefault {
		return c.AccountID
	}
	return c.AccountID + " " + c.OrgID
}

// writeCountedPage answers one page of a list whose count is kept (lm_counts:
// what, owner): the count, then the page's rows, read with query (args, then
// LIMIT and OFFSET) and scan, in the paged envelope.
func writeCountedPage[T any](w http.ResponseWriter, r *http.Request, db querier, p pageQuery, what, owner string,
	query string, args []any, scan func(scanner) (T, error)) error {
	ctx := r.Context()
	var count int
	if err := db.QueryRowContext(ctx, countSQL, what, owner).Scan(&count); err != nil {
		return err
	}
	var items []T
	if limit, offset, ok := p.window(count); ok {
		rows, err := db.QueryContext(ctx, query, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scan(rows)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	httpx.WriteJSON(w, http.StatusOK, "", newPage(p, count, items))
	return nil
}

// pageOf is the paged envelope {page, num_pages, per_page, count, items}.
type pageOf[T any] struct {
	Page     int `json:"page"`
	NumPages int `json:"num_pages"`
	PerPage  int `json:"per_page"`
	Count    int `json:"count"`
	Items    []T `json:"items"`
}

func newPage[T any](p pageQuery, count int, items []T) pageOf[T] {
	if items == nil {
		items = []T{}
	}
	return pageOf[T]{Page: p.Page, NumPages: p.numPages(count), PerPage: p.PerPage, Count: count, Items: items}
}
