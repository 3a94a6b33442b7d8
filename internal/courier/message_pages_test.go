package courier_test

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// A page of messages is written from each message's stored attributes, the
// computed ones put in place (spliceMessage); every record must answer as
// the general render answers it: the same message read alone, and the same
// page asked with a sparse fieldset naming every attribute (which the
// general render serves). Messages of every kind are on the page, and rows
// the splice cannot take (an attribute missing, spaces) go the general way.
func TestSplicedPagesAnswerAsRendered(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	post := func(attrs string) string {
		return one(t, mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", attrs))).ID
	}
	html := post(`{"channel-id": "` + chanGroup1 + `", "individual-id": "` + indAlice + `", "message": "<b>Tom & \"Jerry\"</b>\nzoë 😀 \u2028"}`)
	post(`{"channel-id": "` + chanGroup1 + `", "individual-id": "` + indPat + `", "message": "from Pat"}`)
	post(`{"channel-id": "` + chanGroup1 + `", "individual-id": "` + indPat + `", "message": "a draft", "draft": true}`)
	reacted := post(`{"channel-id": "` + chanGroup1 + `", "individual-id": "` + indPat + `", "message": "react to me"}`)
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+reacted+"/reactions/", `{"individual-id": "`+indAlice+`", "reaction-type": "love"}`)
	removed := post(`{"channel-id": "` + chanGroup1 + `", "individual-id": "` + indAlice + `", "message": "oops"}`)
	mustCall(t, env, 200, "PATCH", "/v1/messaging-messages/"+removed+"/", resourceDoc("messaging-messages", removed, `{"removed": true}`))
	// One uploaded attachment, one pending, on the same message.
	var ticket struct{ Data struct{ ID string } }
	for _, name := range []string{"lab.pdf", "pending.pdf"} {
		r := mustCall(t, env, 201, "POST", "/v1/messaging-attachments/", resourceDoc("messaging-attachments", "",
			`{"content-type": "application/pdf", "filename": "`+name+`", "message-id": "`+reacted+`"}`))
		require.NoError(t, jsonUnmarshal(r.Body, &ticket))
	}
	mustCall(t, env, 201, "POST", "/v1/messaging-attachments/"+ticket.Data.ID+"/process-upload/", `{}`)
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/ack/", `{"individual-id": "`+indAlice+`"}`)
	// The engine keeps a splice form for each message in its answer's form
	// (every one here, the message with an uploaded attachment too: its
	// count is a column), and pages answer those from it.
	var formed, all int
	require.NoError(t, env.Deps.DB.Read().QueryRow(`SELECT count(splice_form), count(*) FROM cr_messaging_messages`).Scan(&formed, &all))
	assert.Equal(t, all, formed)
	// Rows as a fixture file, an older build or a hand could have left them
	// (their forms no longer check out):
	// attributes missing (computed ones, and an array, a boolean, strings),
	// spaces between members, phrases kept.
	db := env.Deps.DB.Write()
	for _, q := range []string{
		`UPDATE cr_messaging_messages SET attrs = json_remove(attrs, '$.sentiment', '$.reactions', '$.removed', '$.ack',
			'$.attachments', '$."read-receipts"', '$."preferred-name"') WHERE id = '` + msg1 + `'`,
		`UPDATE cr_messaging_messages SET attrs = replace(attrs, ',"draft":', ', "draft" : ') WHERE id = '` + html + `'`,
		`UPDATE cr_messaging_messages SET attrs = json_set(attrs, '$.phrases', json('{"greeting":"hi <you>"}')) WHERE id = '` + reacted + `'`,
	} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}

	base := "/v1/messaging-messages/?channel-id=" + chanGroup1
	names := attributeNames(t, env, base)
	require.Contains(t, names, "ack")
	fields := "&fields[messaging-messages]=" + url.QueryEscape(strings.Join(names, ","))
	for _, q := range []string{"", "&individual-id=" + indAlice, "&individual-id=" + indPat, "&individual-id=" + indOlivia,
		"&include-phrases=true", "&include-read-receipts=true", "&page[limit]=2&page[offset]=3"} {
		spliced := pageItems(t, env, base+q)
		require.NotEmpty(t, spliced, q)
		assert.Equal(t, pageItems(t, env, base+q+fields), spliced, "%s: as the general render pages it", q)
		viewer := ""
		if strings.HasPrefix(q, "&individual-id=") {
			viewer = "?" + q[1:]
		}
		if strings.HasPrefix(q, "&include-") {
			continue // a message read alone takes neither parameter
		}
		for _, item := range spliced {
			var o struct{ ID string }
			require.NoError(t, json.Unmarshal([]byte(item), &o))
			r := mustCall(t, env, 200, "GET", "/v1/messaging-messages/"+o.ID+"/"+viewer, "")
			var single struct{ Data json.RawMessage }
			require.NoError(t, json.Unmarshal([]byte(r.Body), &single))
			assert.Equal(t, string(single.Data), string(item), "%s: %s as read alone", q, o.ID)
		}
	}
}

// pageItems are the raw items of a list's answer.
func pageItems(t *testing.T, env *emutest.Env, path string) []string {
	t.Helper()
	r := mustCall(t, env, 200, "GET", path, "")
	var page struct{ Data []json.RawMessage }
	require.NoError(t, json.Unmarshal([]byte(r.Body), &page))
	out := make([]string, len(page.Data))
	for i, d := range page.Data {
		out[i] = string(d)
	}
	return out
}

// attributeNames are the attributes a list's first item answers, sorted.
func attributeNames(t *testing.T, env *emutest.Env, path string) []string {
	t.Helper()
	items := list(t, env, adminToken, path)
	require.NotEmpty(t, items)
	var names []string
	for k := range items[0].Attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
