package courier

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// The messaging family's channels: messaging-channels, the
// communication-messages inbox over them, and the communication summary.
//
// Subscribers are cr_links (rel "subscriber", channel → individual) whose
// attributes hold the subscriber's channel preferences; an individual reads
// a channel up to the message its read mark (rel "read") names. Participants
// are the subscribers plus the members and leaders of the channel's
// individual group. A direct channel keeps the sorted set of its individuals
// in the hidden attribute "_direct-key" to find duplicates.

// channelsTable holds the channels (migration 108): every post updates its
// channel, so it carries only the indexes of channels.
const channelsTable = "cr_messaging_channels"

// channelColumns are the attributes a channel keeps in columns: every post
// sets its last-modified-time (migration 108).
var channelColumns = map[string]string{"last-modified-time": "last_modified"}

// messagingChannelResources is the table of channels, the
// communication-messages inbox over them, and the communication summary.
func messagingChannelResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "messaging-channels", Path: "/v1/messaging-channels/", Table: channelsTable, Columns: channelColumns,
			List: "messaging-channels.list", Create: "messaging-channels.create",
			Get: "messaging-channels.get", Modify: "messaging-channels.modify",
			OrgAttr:  "organization-id",
			Text:     []string{"name", "label"},
			Writable: []string{"name", "label", "floating", "event-settings", "subscription-type", "individual-group-id"},
			Shapes: map[string]*jsonapi.Shape{"event-settings": {Kind: "object", Members: []jsonapi.Shape{
				{Name: "enabled", Kind: "boolean"},
			}}},
			Params: map[string]jsonapi.ParamHook{
				"individual-id":  channelParticipant,
				"participant-id": channelParticipant,
			},
			BeforeCreate: createChannel,
			AfterCreate:  subscribeCreated,
			BeforeModify: modifyChannel,
			Render:       renderChannel,
			Prefetch:     prefetchChannels,
			Splice:       spliceChannel,
			Actions: []jsonapi.Action{
				{Op: "messaging-channels.archive", OnItem: true, Handler: setChannelArchived(true)},
				{Op: "messaging-channels.unarchive", OnItem: true, Handler: setChannelArchived(false)},
				{Op: "messaging-channels.get-profile", OnItem: true, Handler: channelProfile},
				{Op: "messaging-channels.preferences", OnItem: true, Handler: channelPreferences,
					Alts: []string{"PUT /v1/messaging-channels/{id}/preferences/", "PATCH /v1/messaging-channels/{id}/preferences/"},
					Shapes: map[string]*jsonapi.Shape{"values": {Kind: "array", Items: &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
						{Name: "name", Required: true, Kind: "string"},
						{Name: "value", Kind: "string"},
					}}}}},
				{Op: "messaging-channels.sms", OnItem: true, Handler: channelSMS,
					Alts:   []string{"POST /v1/messaging-channels/{id}/sms-path/"},
					Shapes: map[string]*jsonapi.Shape{"initial-message-js": localizedShape()}},
				{Op: "messaging-channels.add-subscribers", OnItem: true, Handler: addSubscribers,
					Alts: []string{"POST /v1/messaging-channels/{id}/subscribe/"}},
				{Op: "messaging-channels.remove-subscribers", OnItem: true, Handler: removeSubscribers,
					Alts: []string{"POST /v1/messaging-channels/{id}/unsubscribers/", "DELETE /v1/messaging-channels/{id}/subscribers/"}},
			},
		},
		{
			// communication-messages lists channels with the inbox's filters and sorts.
			Type: "messaging-channels", Path: "/v1/communication-messages/", Table: channelsTable, Columns: channelColumns,
			List: "communication-messages.list",
			Params: map[string]jsonapi.ParamHook{
				"individual-id":      channelParticipant,
				"filter[type]":       channelKind,
				"filter[bookmarked]": channelBookmarked,
			},
			// The latest ack-time of the channel's read marks and its number of
			// messages: columns of the channel that triggers keep (migrations
			// 102 and 108).
			Sort: map[string]string{
				"last-timestamp": "last_modified",
				"ack-timestamp":  "ack_time",
				"unread-count":   "message_count",
			},
		},
		{
			Type: "communication-summaries", Path: "/v1/communication-summaries/",
			List: "communication-summaries.get", Lister: communicationSummary,
		},
	}
}

const attrDirectKey = "_direct-key"

// codeDuplicateChannel is the error code of a second direct channel between
// the same two individuals.
const codeDuplicateChannel = "DuplicateChannel"

// subscriberPrefs are the attributes of a subscriber link.
type subscriberPrefs struct {
	Admin       bool              `json:"admin"`
	Pinned      bool              `json:"pinned"`
	Preferences map[string]string `json:"communication-preferences"`
}

// decodePrefs decodes a subscriber link's attributes as json.Unmarshal does.
// AddLink writes them compact, in the struct's order, and most have no
// preferences: those are read here without Unmarshal's reflection (about 3%
// of a channel's GET went to it); any other text is Unmarshal's.
func decodePrefs(text string) (subscriberPrefs, error) {
	var p subscriberPrefs
	rest, ok := strings.CutPrefix(text, `{"admin":`)
	if ok {
		p.Admin, rest, ok = cutJSONBool(rest)
	}
	if ok {
		rest, ok = strings.CutPrefix(rest, `,"pinned":`)
	}
	if ok {
		p.Pinned, rest, ok = cutJSONBool(rest)
	}
	switch {
	case ok && rest == `,"communication-preferences":null}`:
		return p, nil
	case ok && rest == `,"communication-preferences":{}}`:
		p.Preferences = map[string]string{}
		return p, nil
	}
	p = subscriberPrefs{}
	err := json.Unmarshal([]byte(text), &p)
	return p, err
}

// cutJSONBool reads a JSON true or false at the start of s.
func cutJSONBool(s string) (v bool, rest string, ok bool) {
	if rest, ok = strings.CutPrefix(s, "true"); ok {
		return true, rest, true
	}
	rest, ok = strings.CutPrefix(s, "false")
	return false, rest, ok
}

// readMark is the attributes of a read link: the last message read.
type readMark struct {
	MessageID  string `json:"message-id"`
	PostedTime string `json:"posted-time"`
	AckTime    string `json:"ack-time"`
}

// channelParticipant keeps the channels the individual participates in.
func channelParticipant(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	cond, args := participantCond(jsonapi.LowerID(v))
	q.Where(cond, args...)
	return nil
}

// participantCond is the SQL of "the channel is one the individual
// participates in": a subscriber, or a member or leader of the channel's
// group (cr_group_members, kept by the triggers of migration 102). It reads
// the channels by id, so the condition costs what the individual's channels
// are, not what every channel is.
func participantCond(id string) (string, []any) {
	return `id IN (SELECT from_id FROM cr_links WHERE rel = 'subscriber' AND to_id = ?
	UNION SELECT g.id FROM cr_group_members m JOIN ` + channelsTable + ` g ON g.type = 'messaging-channels'
		AND json_extract(g.attrs, '$."individual-group-id"') = m.group_id WHERE m.individual_id = ?)`, []any{id, id}
}

// channelKind is the inbox's filter[type]: direct and group messages by how the
// channel was made, the other kinds by subscription-type.
func channelKind(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	switch v {
	case "direct-message":
		q.Where("(" + jsonapi.JSONAttr(attrDirectKey) + " IS NOT NULL) = 1") // as indexed (migration 102)
	case "group-message":
		q.Where("(" + jsonapi.JSONAttr("individual-group-id") + " IS NOT NULL) = 1")
	default:
		q.Where(jsonapi.JSONAttr("subscription-type")+" = ?", v)
	}
	return nil
}

// channelBookmarked keeps channels with (or without) a bookmark: the column
// bookmarked is 1 when the channel has one (kept by the triggers of
// migrations 102 and 108, so an index finds them).
func channelBookmarked(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	b, _ := jsonapi.ParseBool(v)
	q.Where("bookmarked = ?", b)
	return nil
}

// createChannel checks the individuals and the group, and refuses a second
// direct channel between the same individuals (409 DuplicateChannel).
func createChannel(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	ids := rec.Strs("individual-ids")
	seen := map[string]bool{}
	var uniq []string
	for i, id := range ids {
		id = jsonapi.LowerID(id)
		ind, err := individual(c, id)
		if err != nil {
			return err
		}
		if ind == nil || ind.OrgID != rec.OrgID {
			return jsonapi.ErrPointer("/data/attributes/individual-ids/"+itoa(i), "Individual %s is not in organization %s.", id, rec.OrgID)
		}
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	rec.Set("individual-ids", uniq)
	if gid := rec.Str("individual-group-id"); gid != "" {
		g, err := c.Load("individual-groups", gid)
		if err != nil {
			return err
		}
		if g == nil || g.OrgID != rec.OrgID {
			return jsonapi.ErrPointer("/data/attributes/individual-group-id", "Individual group %s does not exist in organization %s.", gid, rec.OrgID)
		}
	}
	if tid := rec.Str("text-number-id"); tid != "" {
		rec.Set("text-number", jsonapi.IDRef{ID: tid})
	}
	if rec.Str("subscription-type") == "" {
		rec.Set("subscription-type", "none")
	}
	rec.Set("org-id", rec.OrgID)
	rec.Set("owner-id", callerIndividual(c))
	rec.Set("can-enable-sms", true)
	if len(uniq) > 0 && rec.Str("individual-group-id") == "" {
		key := strings.Join(jsonapi.SortedCopy(uniq), ",")
		var existing string
		err := c.Tx.QueryRowContext(c.Ctx, `SELECT id FROM `+channelsTable+` WHERE type = 'messaging-channels' AND org_id = ?
			AND json_extract(attrs, '$."_direct-key"') = ? LIMIT 1`, rec.OrgID, key).Scan(&existing)
		if err == nil {
			return &jsonapi.Error{Status: http.StatusConflict, Code: codeDuplicateChannel, MetaID: existing,
				Pointer: "/data/attributes/individual-ids",
				Detail:  "A direct channel between these individuals already exists."}
		}
		rec.Set(attrDirectKey, key)
	}
	return nil
}

// subscribeCreated subscribes the channel's individuals.
func subscribeCreated(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	for _, id := range rec.Strs("individual-ids") {
		if err := jsonapi.AddLink(c.Ctx, c.Tx, relSubscriber, rec.ID, id, c.Now, subscriberPrefs{}); err != nil {
			return err
		}
	}
	return nil
}

// modifyChannel checks a new individual group.
func modifyChannel(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if _, ok := in["individual-group-id"]; ok {
		if gid := rec.Str("individual-group-id"); gid != "" {
			g, err := c.Load("individual-groups", gid)
			if err != nil {
				return err
			}
			if g == nil || g.OrgID != rec.OrgID {
				return jsonapi.ErrPointer("/data/attributes/individual-group-id", "Individual group %s does not exist in organization %s.", gid, rec.OrgID)
			}
		}
	}
	return nil
}

// subscriberView is one entry of a channel's subscribers.
type subscriberView struct {
	Admin                    bool              `json:"admin"`
	AutoSignUp               bool              `json:"auto-sign-up"`
	BirthDate                *string           `json:"birth-date"`
	CommunicationPreferences map[string]string `json:"communication-preferences"`
	Email                    *string           `json:"email"`
	EmailVerified            bool              `json:"email-verified"`
	FirstName                string            `json:"first-name"`
	ID                       string            `json:"id"`
	LastName                 string            `json:"last-name"`
	PhoneNumber              *string           `json:"phone-number"`
	PhoneNumberUnsubscribed  bool              `json:"phone-number-unsubscribed"`
	PhoneNumberVerified      bool              `json:"phone-number-verified"`
	Pinned                   bool              `json:"pinned"`
}

type lastMessageView struct {
	ID         string  `json:"id"`
	Message    string  `json:"message"`
	PostedTime *string `json:"posted-time"`
	Removed    bool    `json:"removed"`
}

type bookmarkView struct {
	ID        string `json:"id"`
	MessageID string `json:"message-id"`
}

// viewer is the individual a request acts as: its individual-id (or
// participant-id) parameter, else the caller's own individual.
func viewer(c *jsonapi.Call) string {
	for _, p := range []string{"individual-id", "participant-id"} {
		if c.Query.Documents(p) && c.Query.Has(p) {
			return jsonapi.LowerID(c.Query.Get(p))
		}
	}
	return callerIndividual(c)
}

// renderChannel sets what a channel computes (spliceChannel's values) on a
// channel the general render answers (a sparse fieldset, a text the splice
// cannot take).
func renderChannel(c *jsonapi.Call, rec *jsonapi.Record) error {
	computed, _, err := spliceChannel(c, rec)
	if err != nil {
		return err
	}
	if rec.Attrs == nil {
		rec.Attrs = map[string]json.RawMessage{}
	}
	for _, v := range computed {
		if v.Value == nil {
			v.Value = json.RawMessage("null")
		}
		rec.Attrs[v.Name] = v.Value
	}
	return nil
}

// spliceChannel gives what a channel shows beyond its stored attributes
// (channelShows), each value written once into one buffer
// (jsonapi.SpliceFunc): a page or a GET puts them in place of the stored
// ones, where the general render decoded the channel's attributes into a
// map, set them and ordered them again. rec may be decoded or as stored.
func spliceChannel(c *jsonapi.Call, rec *jsonapi.Record) ([]jsonapi.AttrValue, bool, error) {
	s, err := channelShows(c, rec)
	if err != nil {
		return nil, false, err
	}
	// One buffer for the values of every channel of the answer: a value
	// written before the buffer grew stays where it was.
	buf, _ := c.Cache[computedKey].(*[]byte)
	if buf == nil {
		b := make([]byte, 0, 2048) // a channel's people are most of it
		buf = &b
		if c.Cache == nil {
			c.Cache = map[string]any{}
		}
		c.Cache[computedKey] = buf
	}
	b := *buf
	defer func() { *buf = b }()
	out := make([]jsonapi.AttrValue, 0, 10)
	add := func(name string, from int) {
		out = append(out, jsonapi.AttrValue{Name: name, Value: b[from:len(b):len(b)]})
	}
	at := len(b)
	b = s.subscribers.AppendJSON(b)
	add("subscribers", at)
	if at = len(b); s.last != nil {
		b = s.last.AppendJSON(b)
		add("last-message", at)
	} else {
		out = append(out, jsonapi.AttrValue{Name: "last-message"})
	}
	at = len(b)
	b = strconv.AppendInt(b, s.unread, 10)
	add("caller-new-message-count", at)
	out = append(out, jsonapi.AttrValue{Name: "caller-has-new-message", Value: jsonBool(s.unread > 0)})
	if at = len(b); s.bookmark != nil {
		b = s.bookmark.AppendJSON(b)
		add("bookmark", at)
	} else {
		out = append(out, jsonapi.AttrValue{Name: "bookmark"})
	}
	if at = len(b); s.group != nil {
		b = s.group.AppendJSON(b)
		add("individual-group", at)
	} else {
		out = append(out, jsonapi.AttrValue{Name: "individual-group"})
	}
	if at = len(b); s.groupName {
		b = appendString(b, s.group.Name)
		add("name", at)
	}
	if s.owner != nil {
		at = len(b)
		b = appendString(b, s.owner.FirstName)
		add("owner-first-name", at)
		at = len(b)
		b = appendString(b, s.owner.LastName)
		add("owner-last-name", at)
	}
	return out, true, nil
}

// computedKey is where spliceChannel keeps the buffer it writes values in.
const computedKey = "splice:channels"

// channelShown is what a channel's answer computes: its subscribers, last
// message and bookmark (nil without one), the viewer's new messages, its
// group (nil without one) and whether the group names it, and its owner
// (nil when the caller may not see the owner, whose names then stay as
// stored).
type channelShown struct {
	subscribers subscriberList
	last        *lastMessageView
	unread      int64
	bookmark    *bookmarkView
	group       *groupView
	groupName   bool
	owner       *individualView
}

// channelShows computes what a channel shows, in few statements: the
// subscribers with their preferences and users, the people it shows (read
// at once, Preload), and the channel's last message, bookmark and new
// messages; what prefetchChannels read for a page is taken from there. rec
// may be decoded or as stored.
func channelShows(c *jsonapi.Call, rec *jsonapi.Record) (channelShown, error) {
	var s channelShown
	subs, ok := c.Cache[subscribersKey(rec.ID)].([]subscriber)
	if !ok {
		bySub, err := channelSubscribers(c, []string{rec.ID})
		if err != nil {
			return s, err
		}
		subs = bySub[rec.ID]
	}
	var err error
	cg, ok := c.Cache[groupKey(rec.ID)].(channelGroup)
	if !ok {
		var people []string
		if cg, people, err = readChannelGroup(c, rec, subs, nil); err != nil {
			return s, err
		}
		if err := c.Preload("individuals", people); err != nil {
			return s, err
		}
	}
	if s.subscribers, err = subscriberViews(c, subs); err != nil {
		return s, err
	}
	who := viewer(c)
	st, ok := c.Cache[stateKey(rec.ID)].(channelState)
	if !ok {
		states, err := channelStates(c, []string{rec.ID}, who)
		if err != nil {
			return s, err
		}
		st = states[rec.ID]
	}
	s.last = st.last
	if who != "" {
		s.unread = st.unread // else nobody to count for: 0
	}
	if bookmark := st.bookmark; bookmark != nil {
		var msg jsonapi.IDRef
		bookmark.Decode("message", &msg)
		s.bookmark = &bookmarkView{ID: bookmark.ID, MessageID: msg.ID}
	}
	if s.group, err = groupEmbed(c, cg.g, cg.members, cg.leaders); err != nil {
		return s, err
	}
	// use-group-name (default true): a group channel without a name shows the group's.
	s.groupName = s.group != nil && rec.Str("name") == "" && (!c.Query.Has("use-group-name") || c.Query.Bool("use-group-name"))
	if owner := rec.Str("owner-id"); owner != "" {
		if s.owner, err = individual(c, owner); err != nil {
			return s, err
		}
	}
	return s, nil
}

// channelStatesSQL reads what n channels show of their messages in one
// statement, a row per channel (arguments: each channel's id and the
// reader's, in turn): the channel, the reader's new messages
// (newMessagesOf), its last message (the latest one not a draft) and its
// latest bookmark (found walking the channel's range of the bookmarks'
// parent index). With kept (a read transaction), the last message is what
// the channel keeps (migration 115), caught up at every commit; without (a
// write transaction, whose own writes may have left those columns behind),
// it is found walking the channel's messages back from the newest.
func channelStatesSQL(e *jsonapi.Engine, n int, kept bool) string {
	variant := ""
	if kept {
		variant = "kept"
	}
	return e.SizedSQL("channel states", variant, n, func(n int) string { return buildChannelStatesSQL(e, n, kept) })
}

// buildChannelStatesSQL is channelStatesSQL's text. Either way a row's last
// message is its id, organization, and text, posted-time and removed flag as
// JSON values (NULL when absent).
func buildChannelStatesSQL(e *jsonapi.Engine, n int, kept bool) string {
	channels := strings.Repeat(`SELECT ? AS id, ? AS who UNION ALL `, n-1) + `SELECT ? AS id, ? AS who`
	last := `c.last_message_id, c.last_message_org, c.last_message_text, c.last_message_posted, c.last_message_removed`
	join := `LEFT JOIN ` + channelsTable + ` AS c ON c.type = 'messaging-channels' AND c.id = ch.id`
	if !kept {
		last = `m.id, m.org_id, m.attrs -> '$.message', m.attrs -> '$."posted-time"', m.attrs -> '$.removed'`
		join = `LEFT JOIN ` + messagesTable + ` AS m ON m.type = 'messaging-messages' AND m.id = (SELECT id FROM ` + messagesTable +
			` INDEXED BY ` + e.ParentIndex(messagesTable) + ` WHERE type = 'messaging-messages' AND parent_id = ch.id
			AND json_extract(attrs, '$.draft') = 0 ORDER BY created_at DESC, id DESC LIMIT 1)`
	}
	return `SELECT ch.id, (` + newMessagesOf("ch.id", "ch.who") + `), ` + last + `, b.id, b.org_id, b.attrs
	FROM (` + channels + `) AS ch
	` + join + `
	LEFT JOIN cr_resources AS b ON b.type = 'messaging-bookmarks' AND b.id = (SELECT id FROM cr_resources
		INDEXED BY ` + e.ParentIndex(jsonapi.SharedTable) + ` WHERE type = 'messaging-bookmarks' AND parent_id = ch.id
			ORDER BY created_at DESC, id DESC LIMIT 1)`
}

// channelStatesArgs are the arguments of channelStatesSQL.
func channelStatesArgs(channelIDs []string, individualID string) []any {
	args := make([]any, 0, 2*len(channelIDs))
	for _, id := range channelIDs {
		args = append(args, id, individualID)
	}
	return args
}

// channelState is what a channel shows of its messages: its last message and
// bookmark (nil without one) and how many messages the reader has not read
// (newMessages; "" counts for nobody, and the caller answers 0).
type channelState struct {
	last     *lastMessageView
	bookmark *jsonapi.Record
	unread   int64
}

// stateKey is where prefetchChannels leaves a channel's state for its render.
func stateKey(channelID string) string { return "channel-state:" + channelID }

// channelStates reads the state of channels for a reader, by channel.
func channelStates(c *jsonapi.Call, channelIDs []string, individualID string) (map[string]channelState, error) {
	out := make(map[string]channelState, len(channelIDs))
	if len(channelIDs) == 0 {
		return out, nil
	}
	if err := applyReadMarks(c); err != nil { // the reader's count is kept from their mark
		return nil, err
	}
	rows, err := c.Tx.QueryContext(c.Ctx, channelStatesSQL(c.Engine, len(channelIDs), c.Reading()), channelStatesArgs(channelIDs, individualID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st channelState
		var mID, mOrg, mText, mPosted, mRemoved, bID, bOrg, bAttrs sql.NullString
		if err := rows.Scan(&id, &st.unread, &mID, &mOrg, &mText, &mPosted, &mRemoved, &bID, &bOrg, &bAttrs); err != nil {
			return nil, err
		}
		if mID.Valid {
			jsonapi.ReachFrom(c.Ctx).Add(mOrg.String) // read as a read of the message would
			st.last = lastMessageOf(mID.String, mText, mPosted, mRemoved)
		}
		if st.bookmark, err = stateRecord(c, "messaging-bookmarks", bID, bOrg, bAttrs, "message"); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}

// lastMessageOf is the view of a channel's last message from its id and the
// JSON values of its text, posted-time and removed flag (as SQLite's ->
// writes them; invalid: absent), read as the general decoding reads them.
func lastMessageOf(id string, text, posted, removed sql.NullString) *lastMessageView {
	rec := &jsonapi.Record{Type: "messaging-messages", ID: id, Attrs: make(map[string]json.RawMessage, 3)}
	set := func(name string, v sql.NullString) {
		if v.Valid {
			rec.Attrs[name] = json.RawMessage(v.String)
		}
	}
	set("message", text)
	set("posted-time", posted)
	set("removed", removed)
	v := &lastMessageView{ID: id, Message: rec.Str("message"), Removed: rec.Bool("removed")}
	rec.Decode("posted-time", &v.PostedTime)
	return v
}

// stateRecord is a record channelStatesSQL read (nil when there was none),
// reached as a read of it is, with the attributes a channel shows of it.
func stateRecord(c *jsonapi.Call, typ string, id, org, attrs sql.NullString, shown ...string) (*jsonapi.Record, error) {
	if !id.Valid {
		return nil, nil
	}
	jsonapi.ReachFrom(c.Ctx).Add(org.String)
	a, err := jsonapi.SomeAttrs(attrs.String, shown...)
	if err != nil {
		return nil, fmt.Errorf("courier: %s %s: stored attributes: %w", typ, id.String, err)
	}
	return &jsonapi.Record{Type: typ, ID: id.String, OrgID: org.String, Attrs: a}, nil
}

// subscriber is one subscriber link of a channel with the user whose
// primary individual it is (userOfSQL's; user nil without one), holding the
// attributes a subscriber shows of it (subscriberUserAttrs).
type subscriber struct {
	id    string
	prefs subscriberPrefs
	user  *jsonapi.Record
}

// channelSubscribersSQL reads the subscriber links of n channels, each
// channel's in order, each with its individual's user as userOfSQL finds it.
func channelSubscribersSQL(e *jsonapi.Engine, n int) string {
	return e.SizedSQL("channel subscribers", "", n, buildChannelSubscribersSQL)
}

// buildChannelSubscribersSQL is channelSubscribersSQL's text.
func buildChannelSubscribersSQL(n int) string {
	return `SELECT l.from_id, l.to_id, l.attrs, u.id, u.org_id, u.attrs FROM cr_links l
	LEFT JOIN cr_resources u ON u.type = 'users' AND u.id = (SELECT id FROM cr_resources WHERE ` + userOfWhere +
		`lower(l.to_id) ` + userOfOrder + `)
	WHERE l.rel = 'subscriber' AND l.from_id IN (` + jsonapi.Placeholders(n) + `) ORDER BY l.from_id, l.created_at, l.to_id`
}

// channelSubscribers reads the subscribers of channels with their
// preferences and users, by channel, in one statement.
func channelSubscribers(c *jsonapi.Call, channelIDs []string) (map[string][]subscriber, error) {
	rows, err := c.Tx.QueryContext(c.Ctx, channelSubscribersSQL(c.Engine, len(channelIDs)), jsonapi.AppendArgs(nil, channelIDs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]subscriber{}
	for rows.Next() {
		var s subscriber
		var channel, prefs string
		var uID, uOrg, uAttrs sql.NullString
		if err := rows.Scan(&channel, &s.id, &prefs, &uID, &uOrg, &uAttrs); err != nil {
			return nil, err
		}
		if s.prefs, err = decodePrefs(prefs); err != nil {
			return nil, err
		}
		if uID.Valid {
			a, err := jsonapi.SomeAttrs(uAttrs.String, subscriberUserAttrs...)
			if err != nil {
				return nil, fmt.Errorf("courier: users %s: stored attributes: %w", uID.String, err)
			}
			s.user = &jsonapi.Record{Type: "users", ID: uID.String, OrgID: uOrg.String, Attrs: a}
		}
		out[channel] = append(out[channel], s)
	}
	return out, rows.Err()
}

// subscribersKey is where prefetchChannels leaves a channel's subscribers.
func subscribersKey(channelID string) string { return "subscribers:" + channelID }

// prefetchChannels reads at once what a page of channels shows beside their
// messages: every channel's subscribers (with their users), the groups, and
// the people they show, as channelShows would read them one channel at a
// time (the same records: Reach is the same).
func prefetchChannels(c *jsonapi.Call, recs []*jsonapi.Record) error {
	ids := make([]string, len(recs))
	var gids []string
	for i, r := range recs {
		ids[i] = r.ID
		if gid := r.Str("individual-group-id"); gid != "" {
			gids = append(gids, gid)
		}
	}
	subs, err := channelSubscribers(c, ids)
	if err != nil {
		return err
	}
	if err := c.Preload("individual-groups", gids); err != nil {
		return err
	}
	if c.Cache == nil {
		c.Cache = map[string]any{}
	}
	states, err := channelStates(c, ids, viewer(c))
	if err != nil {
		return err
	}
	var people []string
	for _, r := range recs {
		c.Cache[subscribersKey(r.ID)] = subs[r.ID]
		c.Cache[stateKey(r.ID)] = states[r.ID]
		var cg channelGroup
		if cg, people, err = readChannelGroup(c, r, subs[r.ID], people); err != nil {
			return err
		}
		c.Cache[groupKey(r.ID)] = cg
	}
	return c.Preload("individuals", people)
}

// channelGroup is a channel's individual group (nil without one) with its
// members and leaders (groupMembers), as prefetchChannels leaves them for
// channelShows, at groupKey.
type channelGroup struct {
	g                *jsonapi.Record
	members, leaders []string
}

func groupKey(channelID string) string { return "channel-group:" + channelID }

// readChannelGroup reads a channel's group with its members and leaders, and
// appends to people everyone the channel shows (shownPeople).
func readChannelGroup(c *jsonapi.Call, ch *jsonapi.Record, subs []subscriber, people []string) (channelGroup, []string, error) {
	var cg channelGroup
	if gid := ch.Str("individual-group-id"); gid != "" {
		var err error
		if cg.g, err = c.View("individual-groups", gid); err != nil {
			return cg, people, err
		}
	}
	people, cg.members, cg.leaders = shownPeople(people, ch, subs, cg.g)
	return cg, people, nil
}

// shownPeople appends to people everyone a channel shows: its subscribers,
// its group's members and leaders (g: the group, nil without one), its owner.
func shownPeople(people []string, ch *jsonapi.Record, subs []subscriber, g *jsonapi.Record) (all, members, leaders []string) {
	for _, s := range subs {
		people = append(people, s.id)
	}
	if g != nil {
		members, leaders = groupMembers(g)
		people = append(append(people, members...), leaders...)
	}
	if owner := ch.Str("owner-id"); owner != "" {
		people = append(people, owner)
	}
	return people, members, leaders
}

// subscriberUserAttrs are the attributes of a subscriber's user that
// subscriberViews shows.
var subscriberUserAttrs = []string{"email", "phone", "email-verified", "phone-verified", "phone-unsubscribed", "auto-sign-up"}

// subscriberViews are the subscribers a channel answers: those whose
// individual the caller may see, with their user's contact details.
func subscriberViews(c *jsonapi.Call, subs []subscriber) (subscriberList, error) {
	out := subscriberList{}
	for _, s := range subs {
		ind, err := individual(c, s.id)
		if err != nil {
			return nil, err
		}
		if ind == nil {
			continue
		}
		prefs := s.prefs
		v := subscriberView{Admin: prefs.Admin, BirthDate: ind.BirthDate, CommunicationPreferences: prefs.Preferences,
			FirstName: ind.FirstName, ID: s.id, LastName: ind.LastName, Pinned: prefs.Pinned}
		if v.CommunicationPreferences == nil {
			v.CommunicationPreferences = map[string]string{}
		}
		if u := s.user; u != nil {
			jsonapi.ReachFrom(c.Ctx).Add(u.OrgID) // read as userOf reads it
			email, phone := u.Str("email"), u.Str("phone")
			if email != "" {
				v.Email = &email
			}
			if phone != "" {
				v.PhoneNumber = &phone
			}
			v.EmailVerified, v.PhoneNumberVerified = u.Bool("email-verified"), u.Bool("phone-verified")
			v.PhoneNumberUnsubscribed, v.AutoSignUp = u.Bool("phone-unsubscribed"), u.Bool("auto-sign-up")
		}
		out = append(out, v)
	}
	return out, nil
}

// participants lists a channel's participants: subscribers, then the group's
// members and leaders.
func participants(c *jsonapi.Call, ch *jsonapi.Record) ([]string, error) {
	ids, err := jsonapi.LinkedTo(c.Ctx, c.Tx, relSubscriber, ch.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	add := func(list []string) {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	add(ids)
	if gid := ch.Str("individual-group-id"); gid != "" {
		g, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "individual-groups", gid)
		if err != nil {
			return nil, err
		}
		if g != nil {
			is, ls := groupMembers(g)
			add(is)
			add(ls)
		}
	}
	return out, nil
}

// isParticipant reports whether an individual participates in a channel:
// a subscriber, or a member or leader of its individual group
// (cr_group_members, kept from the group's attributes by the triggers of
// migration 102), in one statement. The group counts as read (Reach).
func isParticipant(c *jsonapi.Call, ch *jsonapi.Record, individualID string) (bool, error) {
	gid := ch.Str("individual-group-id")
	var subscribed, member bool
	var groupOrg sql.NullString
	if err := c.Tx.QueryRowContext(c.Ctx, participantSQL, ch.ID, individualID, gid, gid, individualID).Scan(
		&subscribed, &groupOrg, &member); err != nil {
		return false, err
	}
	if gid == "" {
		return subscribed, nil
	}
	jsonapi.ReachFrom(c.Ctx).Add(groupOrg.String)
	return subscribed || groupOrg.Valid && member, nil
}

// participantSQL is what isParticipant reads: the subscriber link, the
// group's organization (NULL without the group) and the group membership.
const participantSQL = `SELECT EXISTS (SELECT 1 FROM cr_links WHERE rel = 'subscriber' AND from_id = ? AND to_id = ?),
	(SELECT org_id FROM cr_resources WHERE type = 'individual-groups' AND id = ?),
	EXISTS (SELECT 1 FROM cr_group_members WHERE group_id = ? AND individual_id = ?)`

// newMessagesOf is how many posted messages of others the individual has not
// read in the channel (SQL expressions naming them; with "?" for both, the
// arguments are the channel, the individual, the channel twice, the
// individual): counted by the triggers of migration 100 for a reader with a
// read mark (their mark row); without one, every posted message of others is
// new (the channel's posted messages less the reader's own).
func newMessagesOf(channel, individual string) string {
	return `SELECT COALESCE(
	(SELECT unread FROM cr_read_marks WHERE channel_id = ` + channel + ` AND individual_id = ` + individual + `),
	(SELECT COALESCE(sum(unread), 0) FROM cr_channel_authors WHERE channel_id = ` + channel + `)
		- COALESCE((SELECT unread FROM cr_channel_authors WHERE channel_id = ` + channel + ` AND author = json_quote(` + individual + `)), 0))`
}

// setChannelArchived is archive (true) and unarchive (false).
func setChannelArchived(archived bool) jsonapi.ActionFunc {
	return func(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
		rec.Set("archived", archived)
		c.Stamp(rec, false)
		return rec, c.Save(rec)
	}
}

// channelProfile answers the profile of a participant, asked by another participant.
func channelProfile(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	for _, p := range []string{"individual-id", "profile-individual-id"} {
		ok, err := isParticipant(c, rec, jsonapi.LowerID(c.Query.Get(p)))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, jsonapi.ErrParam(p, "Individual %s does not participate in channel %s.", c.Query.Get(p), rec.ID)
		}
	}
	ind, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "individuals", jsonapi.LowerID(c.Query.Get("profile-individual-id")))
	if err != nil {
		return nil, err
	}
	if ind == nil {
		return nil, jsonapi.ErrNotFound("individual-profile")
	}
	prof := &jsonapi.Record{Type: "individual-profiles", ID: ind.ID, OrgID: ind.OrgID, Attrs: map[string]jsonRaw{}}
	prof.Attrs["photo"] = ind.Attrs["_photo"]
	obj, err := c.Render(prof)
	if err != nil {
		return nil, err
	}
	return &jsonapi.Answer{Status: http.StatusOK, ContentType: jsonapi.ContentTypeAPI, Body: profileDoc{Data: obj}}, nil
}

// profileDoc answers get-profile: the vendor's sample has no "meta" member.
type profileDoc struct {
	Data jsonapi.ResourceObject `json:"data"`
}

// channelPreferences sets a subscriber's channel preferences ("pinned" and
// "admin" are also shown as the subscriber's flags).
func channelPreferences(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		IndividualID string `json:"individual-id"`
		Values       []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"values"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err // the catalog and the shape checked it
	}
	who := jsonapi.LowerID(in.IndividualID)
	if who == "" {
		who = callerIndividual(c)
	}
	var prefs subscriberPrefs
	ok, err := jsonapi.LinkAttrs(c.Ctx, c.Tx, relSubscriber, rec.ID, who, &prefs)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jsonapi.ErrPointer("/individual-id", "Individual %s is not a subscriber of channel %s.", who, rec.ID)
	}
	if prefs.Preferences == nil {
		prefs.Preferences = map[string]string{}
	}
	for i, v := range in.Values {
		if v.Name == "" {
			return nil, jsonapi.ErrPointer("/values/"+itoa(i)+"/name", "This field is required.")
		}
		prefs.Preferences[v.Name] = v.Value
		switch v.Name {
		case "pinned":
			prefs.Pinned = v.Value == "true"
		case "admin":
			prefs.Admin = v.Value == "true"
		}
	}
	if err := jsonapi.AddLink(c.Ctx, c.Tx, relSubscriber, rec.ID, who, c.Now, prefs); err != nil {
		return nil, err
	}
	return rec, nil
}

// channelSMS turns the channel's SMS path on or off.
func channelSMS(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		Active bool `json:"active"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, jsonapi.ErrPointer("/active", "Must be a boolean.")
	}
	rec.Set("with-sms", in.Active)
	c.Stamp(rec, false)
	return rec, c.Save(rec)
}

// addSubscribers subscribes individuals of the channel's organization.
func addSubscribers(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	ids, err := bodyIndividuals(c, rec, body)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if ok, err := jsonapi.LinkAttrs(c.Ctx, c.Tx, relSubscriber, rec.ID, id, nil); err != nil {
			return nil, err
		} else if !ok {
			if err := jsonapi.AddLink(c.Ctx, c.Tx, relSubscriber, rec.ID, id, c.Now, subscriberPrefs{}); err != nil {
				return nil, err
			}
		}
	}
	c.Stamp(rec, false)
	return rec, c.Save(rec)
}

// removeSubscribers unsubscribes individuals (those not subscribed are ignored).
func removeSubscribers(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	ids, err := bodyIndividuals(c, rec, body)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := jsonapi.RemoveLink(c.Ctx, c.Tx, relSubscriber, rec.ID, id); err != nil {
			return nil, err
		}
	}
	c.Stamp(rec, false)
	return rec, c.Save(rec)
}

// bodyIndividuals reads individual-ids: each must be in the channel's organization (400).
func bodyIndividuals(c *jsonapi.Call, ch *jsonapi.Record, body map[string]jsonRaw) ([]string, error) {
	var ids []string
	if err := decodeBody(body, &struct {
		IDs *[]string `json:"individual-ids"`
	}{&ids}); err != nil {
		return nil, jsonapi.ErrPointer("/individual-ids", "Must be a list of UUIDs.")
	}
	if len(ids) == 0 {
		return nil, jsonapi.ErrPointer("/individual-ids", "At least one individual id is required.")
	}
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		id = jsonapi.LowerID(id)
		ind, err := individual(c, id)
		if err != nil {
			return nil, err
		}
		if ind == nil || ind.OrgID != ch.OrgID {
			return nil, jsonapi.ErrPointer("/individual-ids/"+itoa(i), "Individual %s is not in organization %s.", id, ch.OrgID)
		}
		out = append(out, id)
	}
	return out, nil
}

// summarySQL is the FROM and WHERE of the summary's counts: the posted
// messages by author (counted by the triggers of migration 100) of the
// channels the individual participates in, in the caller's organizations.
func summarySQL(c *jsonapi.Call, who string) jsonapi.Statement {
	cond, condArgs := participantCond(who)
	orgs := c.Caller.Orgs
	if len(orgs) == 0 {
		orgs = []string{""}
	}
	args := jsonapi.AppendArgs(nil, orgs...)
	return jsonapi.Statement{SQL: `FROM ` + channelsTable + ` ch JOIN cr_channel_authors a ON a.channel_id = ch.id
		WHERE ch.type = 'messaging-channels' AND ch.org_id IN (` + jsonapi.Placeholders(len(orgs)) + `) AND ch.` + cond,
		Args: append(args, condArgs...)}
}

// The summary's counts: messages (all, of group and direct channels, of
// providers) and senders over summarySQL; notifications and video channels
// are summaryNotificationsSQL and summaryVideoChannelsSQL.
const (
	summaryCountsSQL = `SELECT COALESCE(sum(a.posted), 0),
	COALESCE(sum(a.posted) FILTER (WHERE json_extract(ch.attrs, '$."individual-group-id"') IS NOT NULL), 0),
	COALESCE(sum(a.posted) FILTER (WHERE json_extract(ch.attrs, '$."_direct-key"') IS NOT NULL), 0),
	COALESCE(sum(a.posted) FILTER (WHERE (SELECT json_extract(i.attrs, '$."account-type"') FROM cr_resources i
		WHERE i.type = 'individuals' AND i.id = json_extract(a.author, '$')) = 'provider'), 0) `
	summarySendersSQL   = `SELECT json_extract(a.author, '$') AS sender, sum(a.posted) `
	summarySendersGroup = ` GROUP BY sender HAVING sum(a.posted) > 0 ORDER BY sender`
)

// summaryNotificationsSQL counts the individual's notifications in some
// organizations (cr_individual_org_notifications, migration 107).
func summaryNotificationsSQL(who string, orgs []string) jsonapi.Statement {
	args := jsonapi.AppendArgs([]any{who}, orgs...)
	return jsonapi.Statement{SQL: `SELECT COALESCE(sum(n), 0) FROM cr_individual_org_notifications WHERE individual_id = ?
		AND org_id IN (` + jsonapi.Placeholders(len(orgs)) + `)`, Args: args}
}

// summaryVideoChannelsSQL counts the video channels of some organizations
// that name the individual anywhere in their attributes (each organization's
// video channels are read: see TestComputedQueryPlans).
func summaryVideoChannelsSQL(who string, orgs []string) jsonapi.Statement {
	args := jsonapi.AppendArgs(nil, orgs...)
	return jsonapi.Statement{SQL: `SELECT count(*) FROM cr_resources WHERE type = 'video-channels'
		AND org_id IN (` + jsonapi.Placeholders(len(orgs)) + `) AND instr(attrs, ?) > 0`, Args: append(args, `"`+who+`"`)}
}

// summaryAnswer is GET /v1/communication-summaries/.
type summaryAnswer struct {
	Summary summary `json:"summary"`
}

type summary struct {
	MessageSenders   []senderCount `json:"message-senders"`
	MessageTypes     []typeCount   `json:"message-types"`
	Messages         int64         `json:"messages"`
	Notifications    int64         `json:"notifications"`
	ProviderMessages int64         `json:"provider-messages"`
	VideoChannels    int64         `json:"video-channels"`
}

type senderCount struct {
	Count        int64  `json:"count"`
	IndividualID string `json:"individual-id"`
}

type typeCount struct {
	Count       int64  `json:"count"`
	MessageType string `json:"message-type"`
}

// communicationSummary counts, for an individual (the caller's by default),
// the posted messages of the channels they participate in — by channel kind,
// from providers, and per sender with include-senders — their notifications
// and their video channels. It is computed from the records that exist, so it
// always agrees with them.
func communicationSummary(c *jsonapi.Call) (*jsonapi.Answer, error) {
	who := viewer(c)
	if c.Query.Has("individual-id") {
		ind, err := individual(c, who)
		if err != nil {
			return nil, err
		}
		if ind == nil {
			return nil, jsonapi.ErrParam("individual-id", "Individual %s does not exist.", c.Query.Get("individual-id"))
		}
	}
	st := summarySQL(c, who)
	s := summary{MessageSenders: []senderCount{}, MessageTypes: []typeCount{}}
	var group, direct int64
	if err := c.Tx.QueryRowContext(c.Ctx, summaryCountsSQL+st.SQL, st.Args...).Scan(
		&s.Messages, &group, &direct, &s.ProviderMessages); err != nil {
		return nil, err
	}
	s.MessageTypes = append(s.MessageTypes, typeCount{Count: group, MessageType: "group-messages"},
		typeCount{Count: direct, MessageType: "direct-messages"})
	if c.Query.Bool("include-senders") {
		rows, err := c.Tx.QueryContext(c.Ctx, summarySendersSQL+st.SQL+summarySendersGroup, st.Args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var sc senderCount
			var sender *string
			if err := rows.Scan(&sender, &sc.Count); err != nil {
				return nil, err
			}
			if sender != nil {
				sc.IndividualID = *sender
			}
			s.MessageSenders = append(s.MessageSenders, sc)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rows.Close()
	}
	// Every count is of the caller's organizations only: an individual's
	// notifications and video channels may lie in others.
	jsonapi.ReachFrom(c.Ctx).Add(c.Caller.Orgs...)
	st = summaryNotificationsSQL(who, c.Caller.Orgs)
	if err := c.Tx.QueryRowContext(c.Ctx, st.SQL, st.Args...).Scan(&s.Notifications); err != nil {
		return nil, err
	}
	st = summaryVideoChannelsSQL(who, c.Caller.Orgs)
	if err := c.Tx.QueryRowContext(c.Ctx, st.SQL, st.Args...).Scan(&s.VideoChannels); err != nil {
		return nil, err
	}
	return jsonapi.Plain(http.StatusOK, summaryAnswer{Summary: s}), nil
}
