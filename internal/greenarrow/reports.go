package greenarrow

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

type reportData struct {
	Report []reportRow `json:"report"`
}

// reportRow is one sender in one period, in the key order of the docs' example.
type reportRow struct {
	TimePeriodStart   string  `json:"time_period_start"`
	TimePeriodEnd     string  `json:"time_period_end"`
	AutoresponderID   *int64  `json:"autoresponder_id"`
	AutoresponderName *string `json:"autoresponder_name"`
	CampaignID        *int64  `json:"campaign_id"`
	CampaignName      *string `json:"campaign_name"`
	MessagesSent      int64   `json:"messages_sent"`

	start time.Time
}

func (r *reportRow) name() string {
	if r.CampaignName != nil {
		return *r.CampaignName
	}
	if r.AutoresponderName != nil {
		return *r.AutoresponderName
	}
	return ""
}

// messagesSent handles GET /ga/api/v2/organizations/{id}/messages_sent/{report},
// where report is daily, daily.csv, monthly or monthly.csv.
func (a *API) messagesSent(w http.ResponseWriter, r *http.Request) error {
	report := httpx.PathParam(r, "report")
	kind, format, _ := strings.Cut(report, ".")
	if (kind != "daily" && kind != "monthly") || (format != "" && format != "csv") || strings.Count(report, ".") > 1 {
		return notFound("no route matches %s %s", r.Method, httpx.VendorPath(r, Prefix))
	}
	id, err := scopedOrgID(r)
	if err != nil {
		return err
	}
	o, err := loadOrg(r.Context(), a.reads(), id)
	if err != nil {
		return err
	}
	from, to, err := reportRange(r, a.Clock.Now().In(o.Zone.Loc), kind == "monthly")
	if err != nil {
		return err
	}
	rows, err := a.report(r, o, from, to, kind == "monthly")
	if err != nil {
		return err
	}
	if format == "csv" {
		writeReportCSV(w, rows)
		return nil
	}
	writeData(w, reportData{rows})
	return nil
}

// reportRange is [from, to): the first and the day after the last day of the
// report, at midnight in the organization's time zone. By default it starts
// on the 1st three months back ("if today is April 1, the default start date
// is January 1") and ends with the current month; monthly reports snap both
// ends to whole calendar months.
func reportRange(r *http.Request, today time.Time, monthly bool) (time.Time, time.Time, error) {
	loc := today.Location()
	y, m, _ := today.Date()
	from := time.Date(y, m-3, 1, 0, 0, 0, 0, loc)
	to := time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *time.Time
		next int // days added: the end date is included
	}{{"start_date", &from, 0}, {"end_date", &to, 1}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return from, to, invalidRequest("%s must be a date such as 2015-04-01, not %q", p.name, s)
		}
		dy, dm, dd := d.Date()
		switch {
		case monthly && p.next == 0:
			*p.dst = time.Date(dy, dm, 1, 0, 0, 0, 0, loc)
		case monthly:
			*p.dst = time.Date(dy, dm+1, 1, 0, 0, 0, 0, loc)
		default:
			*p.dst = time.Date(dy, dm, dd+p.next, 0, 0, 0, 0, loc)
		}
	}
	if !from.Before(to) {
		return from, to, invalidRequest("start_date must not be after end_date")
	}
	return from, to, nil
}

type senderKey struct {
	start         time.Time
	autoresponder bool
	id            int64
}

// report sums the organization's sends in [from, to) per period and sender.
// A sender's name is the one of its latest send. Rows come by period, then
// by name, the order of the docs' example.
func (a *API) report(r *http.Request, o *org, from, to time.Time, monthly bool) ([]reportRow, error) {
	rows, err := a.reads().QueryContext(r.Context(), `SELECT sent_at, campaign_id, campaign_name, autoresponder_id,
		autoresponder_name, messages FROM ga_sends WHERE organization_id = ? AND sent_at >= ? AND sent_at < ? ORDER BY id`,
		o.ID, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byKey := map[senderKey]*reportRow{}
	for rows.Next() {
		var at, messages int64
		var cid, aid *int64
		var cname, aname *string
		if err := rows.Scan(&at, &cid, &cname, &aid, &aname, &messages); err != nil {
			return nil, err
		}
		start, end := period(time.Unix(at, 0).In(o.Zone.Loc), monthly)
		k := senderKey{start: start, autoresponder: aid != nil}
		if aid != nil {
			k.id = *aid
		} else if cid != nil {
			k.id = *cid
		}
		row := byKey[k]
		if row == nil {
			row = &reportRow{TimePeriodStart: start.Format(time.RFC3339), TimePeriodEnd: end.Format(time.RFC3339),
				AutoresponderID: aid, CampaignID: cid, start: start}
			byKey[k] = row
		}
		row.CampaignName, row.AutoresponderName = cname, aname
		row.MessagesSent += messages
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]reportRow, 0, len(byKey))
	for _, row := range byKey {
		out = append(out, *row)
	}
	slices.SortFunc(out, func(x, y reportRow) int {
		return cmp.Or(x.start.Compare(y.start), strings.Compare(x.name(), y.name()),
			cmp.Compare(deref(x.CampaignID), deref(y.CampaignID)), cmp.Compare(deref(x.AutoresponderID), deref(y.AutoresponderID)))
	})
	return out, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// period is the day or calendar month holding t, in t's location: its first
// and its last second.
func period(t time.Time, monthly bool) (time.Time, time.Time) {
	y, m, d := t.Date()
	loc := t.Location()
	if monthly {
		return time.Date(y, m, 1, 0, 0, 0, 0, loc), time.Date(y, m+1, 0, 23, 59, 59, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d, 23, 59, 59, 0, loc)
}

// csvHeader is the header row of the docs' CSV example.
const csvHeader = `"Time Period Start","Time Period End","Organization ID","Organization Name","Campaign ID",` +
	`"Campaign Name","Autoresponder ID","Autoresponder Name","Messages Sent"` + "\n"

// writeReportCSV writes the report as the docs' CSV example does: every value
// quoted, null as "". The example leaves Organization ID and Organization
// Name empty on every row; we copy that on purpose.
func writeReportCSV(w http.ResponseWriter, rows []reportRow) {
	var b strings.Builder
	b.WriteString(csvHeader)
	for _, row := range rows {
		for i, v := range []string{row.TimePeriodStart, row.TimePeriodEnd, "", "", optInt(row.CampaignID),
			optString(row.CampaignName), optInt(row.AutoresponderID), optString(row.AutoresponderName),
			strconv.FormatInt(row.MessagesSent, 10)} {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(v, `"`, `""`))
			b.WriteByte('"')
		}
		b.WriteByte('\n')
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func optString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
