package greenarrow

import (
	"math"
	"net/http"
	"strconv"
)

// Pagination, as GreenArrow's API v2 documents it: page counts from 0,
// per_page defaults to 100 and may not exceed 2000.
const (
	defaultPerPage = 100
	maxPerPage     = 2000
)

type page struct {
	Page    int
	PerPage int
}

// offset saturates: a page far past the end is just empty, never a wrapped offset.
func (p page) offset() int64 {
	if int64(p.Page) > math.MaxInt64/int64(p.PerPage) {
		return math.MaxInt64
	}
	return int64(p.Page) * int64(p.PerPage)
}

func parsePage(r *http.Request) (page, error) {
	pg := page{Page: 0, PerPage: defaultPerPage}
	q := r.URL.Query()
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return pg, invalidRequest("page must be an integer of 0 or more (pages count from 0)")
		}
		pg.Page = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return pg, invalidRequest("per_page must be a positive integer")
		}
		if n > maxPerPage {
			return pg, &Error{http.StatusBadRequest, codeRequestedTooMany,
				"per_page may not exceed " + strconv.Itoa(maxPerPage)}
		}
		pg.PerPage = int(n)
	}
	return pg, nil
}
