package greenarrow

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// hostileStrings are strings every escaping rule of encoding/json applies to.
var hostileStrings = []string{
	"", "plain", `"quoted" \back\slash/`, "<b>Tom & Jerry</b>", "\b\f\n\r\t\x00\x01\x1f\x7f",
	"é 日本 \U0001F600", "\u2028 line \u2029 paragraph", "bad \xff \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 end\xe2\x80",
	"X-Tag: a\r\nX-Other: <b>",
}

// TestOrgAnswersMatchEncodingJSON: an organization's answer, and a page of
// them, are byte for byte what encoding/json writes for the envelope holding
// o.view (the API's answer before the hand-written appender), for both
// roles: built from o as a write answers, and read back from the store as
// get and list answer.
func TestOrgAnswersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	orgs := answerTestOrgs()
	for _, system := range []bool{true, false} {
		var views []Organization
		var minimal []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		list, minimalList := []byte(`{"success":true,"data":[`), []byte(`{"success":true,"data":[`)
		for i, o := range orgs {
			want := httptest.NewRecorder()
			httpx.WriteJSONHTMLEscaped(want, http.StatusOK, contentType, envelope{Success: true, Data: o.view(system)})
			got := httptest.NewRecorder()
			ans := o.answer(o.documents(), system)
			writeOrg(got, ans, system)
			require.Equal(t, want.Code, got.Code)
			require.Equal(t, want.Header(), got.Header())
			require.Equal(t, want.Body.String(), got.Body.String())

			views = append(views, o.view(system))
			minimal = append(minimal, struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			}{o.ID, o.Name})
			if i > 0 {
				list, minimalList = append(list, ','), append(minimalList, ',')
			}
			list, minimalList = appendOrg(list, ans, system), appendMinimalOrg(minimalList, o.ID, o.Name)
		}
		for _, pg := range []page{{0, 100}, {3, 2}, {1, 7}} {
			for _, tc := range []struct {
				data any
				got  []byte
			}{{views, list}, {minimal, minimalList}, {[]Organization{}, []byte(`{"success":true,"data":[`)}} {
				want := httptest.NewRecorder()
				writePage(want, tc.data, pg, len(orgs)+5)
				got := appendPageEnd(append([]byte(nil), tc.got...), pg, len(orgs)+5)
				require.Equal(t, want.Body.String(), string(got))
			}
		}
	}
}

// TestStoredAnswersMatchEncodingJSON: what get and list answer from the
// store (the documents' tail joined in SQL, the key read with the
// organization) is byte for byte what encoding/json writes for the
// organization the store holds, for every organization of the fixtures and
// the test ones, to a system administrator and to each one's own
// organization admin.
func TestStoredAnswersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	ctx := context.Background()
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
		for i, o := range answerTestOrgs() {
			o.ID, o.Name = int64(1000+i), o.Name+strconv.Itoa(i)
			if _, err := insertOrganization(ctx, tx, o, o.documents()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(context.Background(), `INSERT INTO ga_api_keys (id, name, secret, role, organization_id, active)
			SELECT 5000 + id, '', 'secret', 'organization_admin', id, 1 FROM ga_organizations`)
		return err
	}))
	rows, err := env.Deps.DB.Read().Query(`SELECT ` + orgColumns + ` FROM ga_organizations ORDER BY id`)
	require.NoError(t, err)
	var orgs []*org
	for rows.Next() {
		o, err := scanOrg(rows)
		require.NoError(t, err)
		orgs = append(orgs, o)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.Greater(t, len(orgs), len(answerTestOrgs()))

	encoded := func(v any) string {
		rec := httptest.NewRecorder()
		httpx.WriteJSONHTMLEscaped(rec, http.StatusOK, contentType, v)
		return rec.Body.String()
	}
	const sysAdmin = "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0"
	var views []Organization
	for _, o := range orgs {
		path := "/greenarrow/ga/api/v2/organizations/" + strconv.FormatInt(o.ID, 10)
		own := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(5000+o.ID, 10)+":secret"))
		if o.Active || o.ID == 1 {
			// An inactive organization's admin may not log in.
			res := env.Do(t, "GET", path, "", own)
			require.Equal(t, encoded(envelope{Success: true, Data: o.view(false)}), res.Body)
			res = env.Do(t, "GET", "/greenarrow/ga/api/v2/organizations", "", own)
			require.Equal(t, encoded(pagedEnvelope{Success: true, Data: []Organization{o.view(false)}, PerPage: 100,
				NumRecords: 1, NumPages: 1}), res.Body)
		}
		res := env.Do(t, "GET", path, "", sysAdmin)
		require.Equal(t, encoded(envelope{Success: true, Data: o.view(true)}), res.Body)
		views = append(views, o.view(true))
	}
	res := env.Do(t, "GET", "/greenarrow/ga/api/v2/organizations?per_page=2000", "", sysAdmin)
	require.Equal(t, encoded(pagedEnvelope{Success: true, Data: views, PerPage: 2000, NumRecords: len(orgs), NumPages: 1}), res.Body)

	// An update that leaves the documents alone writes them back as stored
	// and answers with them.
	for _, o := range orgs {
		path := "/greenarrow/ga/api/v2/organizations/" + strconv.FormatInt(o.ID, 10)
		res := env.Do(t, "PUT", path, `{"organization": {"text_footer": "<changed>", "custom_headers": "X-Tag: <b>"}}`, sysAdmin)
		o.TextFooter, o.CustomHeaders = "<changed>", "X-Tag: <b>"
		require.Equal(t, encoded(envelope{Success: true, Data: o.view(true)}), res.Body)
		stored, err := loadOrg(ctx, env.Deps.DB.Reader(), o.ID)
		require.NoError(t, err)
		require.Equal(t, o.view(true), stored.view(true))
	}
}

// answerTestOrgs are organizations with every escaping rule in every string
// and every optional member of the documents.
func answerTestOrgs() []*org {
	limit, overage, yes := int64(1000), int64(10), true
	orgs := []*org{newOrg()}
	for i, s := range hostileStrings {
		top := s
		// A document only ever holds valid UTF-8: all it holds was decoded
		// from JSON (a request, the fixture file), which replaces what is
		// invalid; encoding/json would show a stored \ufffd escape as the
		// character itself after a decode.
		s := strings.ToValidUTF8(s, "\uFFFD")
		o := newOrg()
		o.ID, o.Name, o.Active, o.AnniversaryDay = int64(i+2), top, i%2 == 0, i+1
		o.Zone, _ = lookupZone([]string{"UTC", "Kyiv", "Chatham Is.", "International Date Line West"}[i%4])
		o.HTMLHeader, o.HTMLFooter, o.TextHeader, o.TextFooter, o.CustomHeaders = top, top+"f", "t"+top, top+top, top
		o.Permissions.VirtualMTA = VirtualMTAPermission{Mode: "select_some", VirtualMTAs: []VirtualMTA{{1, s, "ip_address"}, {2, "b", "relay_server"}}}
		o.Permissions.BounceEmail = BounceEmailPermission{Mode: "hide_one", BounceEmail: &BounceEmail{"1@1", s + "@example.com"}}
		o.Permissions.EmailAddress = EmailAddressPermission{Mode: "select_some", Addresses: []string{"@example.com", s}}
		o.Permissions.Speed = Speed{PerHour: int64(i) * 1000}
		o.AutoSubscriberManagement = AutoSubscriberManagement{DistributeRemovals: true, UnsubSuppressionList: &SuppressionList{1, s}}
		o.SendingQuota = Quota{Mode: "visible_limit", Limit: &limit, Overage: &overage, NotifyOrganizationAdmins: &yes}
		o.SubscriberQuota = Quota{Mode: "visible_limit", Limit: &limit, Overage: &overage, NotifyOrganizationAdmins: new(bool)}
		orgs = append(orgs, o)
	}
	return orgs
}

// answer is o, with its documents d, as the caller sees it (what the kept
// answers hold, as an orgAnswer).
func (o *org) answer(d documents, system bool) *orgAnswer {
	a := o.answerHead()
	a.Tail = string(d.appendTail(nil, system))
	return &a
}

// pagedEnvelope is the envelope of a paginated list, with the four
// pagination keys at the top level, as in the docs' list examples: what the
// hand-written pages (appendPageEnd) write, as encoding/json writes it.
type pagedEnvelope struct {
	Success      bool    `json:"success"`
	Data         any     `json:"data"`
	ErrorCode    *string `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
	Page         int     `json:"page"`
	PerPage      int     `json:"per_page"`
	NumRecords   int     `json:"num_records"`
	NumPages     int     `json:"num_pages"`
}

// writePage writes one page of a list as encoding/json writes it.
func writePage(w http.ResponseWriter, data any, pg page, total int) {
	pages := (total + pg.PerPage - 1) / pg.PerPage
	httpx.WriteJSONHTMLEscaped(w, http.StatusOK, contentType, pagedEnvelope{Success: true, Data: data,
		Page: pg.Page, PerPage: pg.PerPage, NumRecords: total, NumPages: pages})
}

// TestReferenceAnswersMatchEncodingJSON: the lists and gets of referenced
// objects (virtual MTAs, URL domains, bounce emails, suppression lists),
// written by hand and read in one statement with the key, are byte for
// byte what encoding/json writes for their envelopes, hostile strings
// included; and every request the direct statement leaves (credentials,
// pages, ids) is answered exactly as the general path answers it.
func TestReferenceAnswersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	var api *API
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { api = New(d); return []server.Vendor{api} })
	ctx := context.Background()
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
		for i, s := range hostileStrings {
			for _, q := range []string{
				`INSERT INTO ga_virtual_mtas (id, name, type) VALUES (?, ?, 'relay_server')`,
				`INSERT INTO ga_url_domains (id, domain) VALUES (?, ?)`,
				`INSERT INTO ga_suppression_lists (id, name) VALUES (?, ?)`,
			} {
				if _, err := tx.ExecContext(ctx, q, 100+i, s+"#"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO ga_bounce_emails (id, email) VALUES (?, ?)`,
				s+"@"+strconv.Itoa(i), s+"#"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		// An organization admin whose organization is inactive may not log in.
		_, err := tx.ExecContext(ctx, `UPDATE ga_organizations SET active = 0 WHERE id = 3`)
		return err
	}))
	key := func(user, secret string) string {
		return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+secret))
	}
	const prefix = "/greenarrow/ga/api/v2/"
	// The general path alone: the same routes without their direct statements.
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(api.WriteError, fn) }
	general := chi.NewRouter()
	general.Use(middleware.StripSlashes)
	general.Route("/greenarrow", func(r chi.Router) {
		r.Use(api.authenticate)
		r.Get("/ga/api/v2/virtual_mtas", h(virtualMTAs.listHandler(api)))
		r.Get("/ga/api/v2/virtual_mtas/{id}", h(virtualMTAs.getHandler(api)))
		r.Get("/ga/api/v2/url_domains", h(urlDomains.listHandler(api)))
		r.Get("/ga/api/v2/url_domains/{id}", h(urlDomains.getHandler(api)))
		r.Get("/ga/api/v2/bounce_emails", h(bounceEmails.listHandler(api)))
		r.Get("/ga/api/v2/bounce_emails/{id}", h(bounceEmails.getHandler(api)))
		r.Get("/ga/api/v2/suppression_lists", h(suppressionLists.listHandler(api)))
		r.Get("/ga/api/v2/suppression_lists/{id}", h(suppressionLists.getHandler(api)))
	})
	same := func(t *testing.T, path, header string) emutest.Response {
		t.Helper()
		var headers []string
		if header != "" {
			headers = append(headers, header)
		}
		res := env.Do(t, "GET", path, "", headers...)
		req := httptest.NewRequest("GET", path, nil)
		if name, value, ok := strings.Cut(header, ": "); ok {
			req.Header.Set(name, value)
		}
		want := httptest.NewRecorder()
		general.ServeHTTP(want, req)
		require.Equal(t, want.Code, res.Status, "%s %s", path, header)
		require.Equal(t, want.Body.String(), res.Body, "%s %s", path, header)
		require.Equal(t, want.Header().Get("Content-Type"), res.Header.Get("Content-Type"))
		return res
	}
	encoded := func(v any) string {
		rec := httptest.NewRecorder()
		httpx.WriteJSONHTMLEscaped(rec, http.StatusOK, contentType, v)
		return rec.Body.String()
	}
	sys := key("1", "ga-system-admin-secret")
	headers := []string{sys, key("2", "ga-org2-admin-secret"), key("1", "wrong"), key("99", "x"), key("x", "y"),
		"Authorization: Bearer ga-system-admin-secret", "", key("3", "ga-org3-admin-secret")}
	pages := []string{"", "?per_page=2&page=1", "?page=99", "?per_page=0", "?per_page=2001", "?page=-1", "?per_page=3&page=2"}
	check := func(t *testing.T, name string, all any, byID map[string]any, ids []string) {
		require.Equal(t, encoded(pagedEnvelope{Success: true, Data: all, PerPage: 100, NumRecords: len(ids), NumPages: 1}),
			same(t, prefix+name, sys).Body)
		for _, header := range headers {
			for _, q := range pages {
				same(t, prefix+name+q, header)
			}
		}
		for _, id := range append(ids, "0", "x", "99999999999999999999", "41@1") {
			path := prefix + name + "/" + url.PathEscape(id)
			res := same(t, path, sys)
			if v, ok := byID[id]; ok {
				require.Equal(t, encoded(envelope{Success: true, Data: v}), res.Body, path)
			} else {
				require.Equal(t, http.StatusNotFound, res.Status, path)
			}
			for _, header := range headers[1:] {
				same(t, path, header)
			}
		}
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	t.Run("virtual MTAs", func(t *testing.T) {
		all, byID, ids := referenced(t, api, virtualMTAs, func(v VirtualMTA) string { return id(v.ID) })
		check(t, "virtual_mtas", all, byID, ids)
	})
	t.Run("URL domains", func(t *testing.T) {
		all, byID, ids := referenced(t, api, urlDomains, func(v URLDomain) string { return id(v.ID) })
		check(t, "url_domains", all, byID, ids)
	})
	t.Run("bounce emails", func(t *testing.T) {
		all, byID, ids := referenced(t, api, bounceEmails, func(v BounceEmail) string { return v.ID })
		check(t, "bounce_emails", all, byID, ids)
	})
	t.Run("suppression lists", func(t *testing.T) {
		all, byID, ids := referenced(t, api, suppressionLists, func(v SuppressionList) string { return id(v.ID) })
		check(t, "suppression_lists", all, byID, ids)
	})
}

// referenced reads every object of k (through the general path's list),
// by id too.
func referenced[T any](t *testing.T, api *API, k refKind[T], idOf func(T) string) ([]T, map[string]any, []string) {
	all, total, err := k.list(context.Background(), api.reads(), page{0, 1000})
	require.NoError(t, err)
	require.Len(t, all, total)
	byID := map[string]any{}
	var ids []string
	for _, v := range all {
		byID[idOf(v)] = v
		ids = append(ids, idOf(v))
	}
	return all, byID, ids
}
