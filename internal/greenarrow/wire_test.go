package greenarrow

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

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
