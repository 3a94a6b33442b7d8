package courier

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The messaging family's messages: posting, read marks (ack), reactions and
// receipts.

// messagesTable holds the messages (migration 108): every post writes one,
// so it carries only the indexes of messages. Its rows are stored in their
// channel's order (migration 110; InParentOrder).
const messagesTable = "cr_messaging_messages"

// attachmentCount is the hidden attribute counting a message's uploaded
// attachments, kept by the triggers of migration 109 in a column of its row.
const attachmentCount = "_attachment-count"

// messagingMessageResources is the table of messages.
func messagingMessageResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "messaging-messages", Path: "/v1/messaging-messages/", Table: messagesTable,
			List: "messaging-messages.list", Create: "messaging-messages.create",
			Get: "messaging-messages.get", Modify: "messaging-messages.modify",
			Parent:        &jsonapi.Parent{Attr: "channel-id", Type: "messaging-channels"},
			Text:          []string{"message"},
			Required:      []string{"channel-id"},
			Counts:        map[string]string{attachmentCount: "attachment_count"},
			InParentOrder: true,
			// Read-only: the shape holds fixtures to the sample.
			Shapes: map[string]*jsonapi.Shape{"reactions": {Kind: "array", Items: &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
				{Name: "first-name", Kind: "string"},
				{Name: "individual-id", Required: true, Kind: "string", Format: "uuid"},
				{Name: "last-name", Kind: "string"},
				{Name: "reaction-type", Required: true, Kind: "string"},
				{Name: "user-name", Kind: "string"},
			}}}},
			Params: map[string]jsonapi.ParamHook{
				"individual-id": ignoreParam,
				"acknowledged":  messagesAcknowledged,
			},
			BeforeCreate: createMessage,
			AfterCreate:  afterMessage,
			BeforeModify: modifyMessage,
			Render:       renderMessage,
			Splice:       spliceMessage,
			// What spliceMessage computes and reads.
			SpliceForm: []string{"ack", "attachments", "individual-id", "phrases", "posted-time", "read-receipts"},
			Prefetch:   prefetchMessages,
			Actions: []jsonapi.Action{
				{Op: "messaging-messages.ack", OnItem: true, Handler: ackMessage},
				{Op: "messaging-messages.add-reaction", OnItem: true, Handler: addReaction,
					Alts: []string{"POST /v1/messaging-messages/{id}/reaction/"}},
				{Op: "messaging-messages.delete-reaction", OnItem: true, Handler: deleteReaction,
					Alts: []string{"POST /v1/messaging-messages/{id}/reactions/delete/"}},
				{Op: "messaging-messages.receipts", OnItem: true, Handler: messageReceipts,
					Alts: []string{"GET /v1/messaging-messages/{id}/read-receipts/"}},
			},
		},
	}
}

// reaction is one entry of a message's reactions.
type reaction struct {
	FirstName    string `json:"first-name"`
	IndividualID string `json:"individual-id"`
	LastName     string `json:"last-name"`
	ReactionType string `json:"reaction-type"`
	UserName     string `json:"user-name"`
}

// receipt is one entry of read-receipts and of the receipts action.
type receipt struct {
	AckTime             *string `json:"ack-time"`
	AckUserTime         *string `json:"ack-user-time"`
	IndividualFirstName string  `json:"individual-first-name"`
	IndividualID        string  `json:"individual-id"`
	IndividualLastName  string  `json:"individual-last-name"`
}

type receiptsAnswer struct {
	Read   []receipt `json:"read"`
	Unread []receipt `json:"unread"`
}

type attachmentView struct {
	ContentSize int64   `json:"content-size"`
	ContentType *string `json:"content-type"`
	Filename    *string `json:"filename"`
	ID          string  `json:"id"`
	Removed     bool    `json:"removed"`
	Thumbnail   *string `json:"thumbnail"`
}

// messagesAcknowledged keeps the messages the viewer has (or has not) read:
// their own, and those posted up to their read mark. The counts of both sets
// are kept by the triggers of migration 100, so the total is read and the
// page is read through the plan that fits the set's size.
func messagesAcknowledged(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	acked, _ := jsonapi.ParseBool(v)
	who := viewer(c)
	channel := jsonapi.LowerID(c.Query.Get("channel-id"))
	ch, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "messaging-channels", channel)
	if err != nil {
		return err
	}
	// The mark as the link stores it ('' without one), bound as it is.
	var mark any
	var all, readCount, unreadCount int64
	if err := c.Tx.QueryRowContext(c.Ctx, acknowledgedCountsSQL, who, who, channel, channel, who).Scan(
		&all, &readCount, &unreadCount, &mark); err != nil {
		return err
	}
	// NOT (own OR posted <= mark) keeps the rows where both are false: posted
	// after the mark by someone else.
	n, cond, args := unreadCount, `json_extract(attrs, '$."posted-time"') > ? AND json_extract(attrs, '$."individual-id"') != ?`, []any{mark, who}
	ids, idArgs := `SELECT id FROM `+messagesTable+` WHERE type = 'messaging-messages' AND parent_id = ? AND `+cond, []any{channel, mark, who}
	if acked {
		n, cond, args = readCount, `(json_extract(attrs, '$."individual-id"') = ? OR json_extract(attrs, '$."posted-time"') <= ?)`, []any{who, mark}
		ids = `SELECT id FROM ` + messagesTable + ` WHERE type = 'messaging-messages' AND parent_id = ? AND json_extract(attrs, '$."individual-id"') = ?
			UNION SELECT id FROM ` + messagesTable + ` WHERE type = 'messaging-messages' AND parent_id = ? AND json_extract(attrs, '$."posted-time"') <= ?`
		idArgs = []any{channel, who, channel, mark}
	}
	if ch == nil || !c.Caller.Member(ch.OrgID) {
		n = 0 // a channel out of reach lists nothing (its messages share its organization)
	}
	// A set small next to the page it must fill from the channel (n² against
	// the page times the channel, as if it were spread evenly) is read by id
	// through the indexes on author and posted-time, then sorted; a larger
	// one is met walking the channel in order.
	limit, offset := c.PageBounds()
	if n*n <= (offset+limit+1)*all {
		q.IndexedBy(c.Engine.IDIndex(messagesTable))
		q.WhereCounted(n, `id IN (`+ids+`)`, idArgs...)
		return nil
	}
	q.IndexedBy(c.Engine.ParentIndex(messagesTable))
	q.WhereCounted(n, cond, args...)
	return nil
}

// acknowledgedCountsSQL counts a channel's messages, those an individual has
// read (their own, and any posted up to their mark) and those they have not
// (posted after the mark by someone else), from the counters: the reader's
// mark row, or without one the channel's rows by author. Last, the mark the
// counts are of (the link's posted-time as cr_read_marks copies it, empty
// without one).
const acknowledgedCountsSQL = `SELECT a.messages,
	a.messages - COALESCE(m.after, a.timed - a.own_timed) - (a.untimed - a.own_untimed),
	COALESCE(m.after - m.after_anon, a.timed - a.own_timed - a.anon_timed),
	COALESCE(m.mark, '')
FROM (SELECT COALESCE(sum(messages), 0) AS messages, COALESCE(sum(timed), 0) AS timed, COALESCE(sum(untimed), 0) AS untimed,
		COALESCE(sum(timed) FILTER (WHERE author = json_quote(?)), 0) AS own_timed,
		COALESCE(sum(untimed) FILTER (WHERE author = json_quote(?)), 0) AS own_untimed,
		COALESCE(sum(timed) FILTER (WHERE author = 'null'), 0) AS anon_timed
	FROM cr_channel_authors WHERE channel_id = ?) a
LEFT JOIN cr_read_marks m ON m.channel_id = ? AND m.individual_id = ?`

// createMessage posts a message as an individual who participates in the
// channel (403 otherwise); a draft is not posted until it is modified with
// draft false.
func createMessage(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	ch := c.CreatedParent() // the channel the create resolved
	if ch == nil || ch.Type != "messaging-channels" || ch.ID != rec.ParentID {
		var err error
		if ch, err = c.MustLoad("messaging-channels", rec.ParentID); err != nil {
			return err
		}
	}
	author := rec.Str("individual-id")
	if author == "" {
		author = callerIndividual(c)
	}
	ok, err := isParticipant(c, ch, author)
	if err != nil {
		return err
	}
	if !ok {
		return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: "/data/attributes/individual-id",
			Detail: "Individual " + author + " does not participate in channel " + ch.ID + "."}
	}
	rec.Set("individual-id", author)
	if ind, err := individual(c, author); err != nil {
		return err
	} else if ind != nil {
		rec.Set("first-name", ind.FirstName)
		rec.Set("last-name", ind.LastName)
		rec.Set("preferred-name", ind.PreferredName)
	}
	user, err := callerUser(c)
	if err != nil {
		return err
	}
	rec.Set("user-id", c.Caller.UserID)
	if user != nil {
		rec.Set("user-name", user.Str("username"))
	}
	rec.Set("user-type", "participant")
	rec.Set("source", "user")
	rec.Set("destination", map[string]string{})
	rec.Set("phrases", map[string]string{})
	if !rec.Bool("draft") {
		rec.Set("posted-time", c.Now)
	}
	return nil
}

// afterMessage touches the channel and marks the author's own message read.
func afterMessage(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if rec.Bool("draft") {
		return nil
	}
	return posted(c, rec)
}

func posted(c *jsonapi.Call, msg *jsonapi.Record) error {
	// Only last-modified-time changes, at the transaction's end with the
	// channel's other kept columns (migration 114): the channel is neither
	// read nor encoded again (its search text, organization and parent stay).
	// The author's read mark moves to the message there too, or before
	// anything reads or changes read marks (migration 116).
	var reader, mark any // NULL: no author, no move
	if author := msg.Str("individual-id"); author != "" {
		delete(c.Cache, readMarkKey(msg.ParentID, author))
		reader, mark = author, readMarkAttrs(msg.ID, msg.Str("posted-time"), c.Now)
	}
	res, err := c.Tx.ExecContext(c.Ctx, touchChannelSQL, msg.ParentID, c.Now, reader, msg.Str("posted-time"), mark)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // n == 0: no such channel
	}
	jsonapi.ReachFrom(c.Ctx).Add(msg.OrgID) // the channel's, which its messages share
	return nil
}

// readMarkAttrs is a read link's attributes, as json.Marshal writes readMark.
func readMarkAttrs(messageID, postedTime, ackTime string) string {
	b := make([]byte, 0, 128)
	b = append(b, `{"message-id":`...)
	b = httpx.AppendJSONString(b, messageID, true)
	b = append(b, `,"posted-time":`...)
	b = httpx.AppendJSONString(b, postedTime, true)
	b = append(b, `,"ack-time":`...)
	b = httpx.AppendJSONString(b, ackTime, true)
	return string(append(b, '}'))
}

// touchChannelSQL marks an existing channel's last-modified-time to catch
// up to a post's time and leaves its author's read mark's move pending
// (arguments: the channel, the time, the author or NULL, the message's
// posted-time, the read link's attributes after the move); it changes no
// row when there is no such channel. The same author's pending move stays
// when the new one is not later (a mark only moves forward); another
// author's is applied by migration 116's trigger when the reader changes.
const touchChannelSQL = `INSERT INTO cr_channel_catchup (channel_id, last_modified, reader, mark_posted, mark_at, mark)
	SELECT id, ?2, ?3, ?4, ?2, ?5 FROM ` + channelsTable + ` WHERE type = 'messaging-channels' AND id = ?1
	ON CONFLICT (channel_id) DO UPDATE SET last_modified = excluded.last_modified,
		reader = COALESCE(excluded.reader, reader),
		mark_posted = CASE WHEN ` + keepPendingMark + ` THEN mark_posted ELSE excluded.mark_posted END,
		mark_at = CASE WHEN ` + keepPendingMark + ` THEN mark_at ELSE excluded.mark_at END,
		mark = CASE WHEN ` + keepPendingMark + ` THEN mark ELSE excluded.mark END`

// keepPendingMark is when touchChannelSQL keeps the pending move: the post
// has no author, or the same author's pending move is not earlier.
const keepPendingMark = `(excluded.reader IS NULL OR (reader IS excluded.reader AND mark_posted >= excluded.mark_posted))`

// applyReadMarksSQL applies the read marks' moves posts left pending
// (migration 116): the first of courier's store.Schema.CatchUp, and run at
// the start of every courier write but a post (applyReadMarks).
const applyReadMarksSQL = `UPDATE cr_channel_catchup SET reader = NULL WHERE reader IS NOT NULL`

// applyReadMarks applies the pending moves of read marks when c writes: a
// read transaction sees only commits, where none is pending.
func applyReadMarks(c *jsonapi.Call) error {
	if c.Reading() {
		return nil
	}
	_, err := c.Tx.ExecContext(c.Ctx, applyReadMarksSQL)
	return err
}

// beforeWrite applies the pending moves of read marks at the start of every
// courier write but a post, which leaves one: whatever else a write changes
// (a mark it moves back, a link or channel it deletes) comes after them, as
// it would have without the wait.
func beforeWrite(c *jsonapi.Call) error {
	if c.Op.ID == "messaging-messages.create" {
		return nil
	}
	return applyReadMarks(c)
}

// channelCatchUpSQL is courier's last store.Schema.CatchUp: it deletes the marks
// migration 114's triggers and touchChannelSQL left in the transaction about
// to commit, and the deletion of each (the trigger cr_channel_catchup_done)
// brings its channel up to date: its message count from the counters, its
// latest ack-time from the read marks, its last-modified-time to its latest
// post unless it holds a later one. It runs at every write of every vendor,
// where there is mostly nothing to delete: one statement, and with a WHERE,
// since a DELETE without one clears the table's root page even when empty.
const channelCatchUpSQL = `DELETE FROM cr_channel_catchup WHERE channel_id IS NOT NULL`

// markRead moves an individual's read mark to msg (never backwards unless
// allowPast), after the moves posts left pending.
func markRead(c *jsonapi.Call, channelID, individualID string, msg *jsonapi.Record, allowPast bool) error {
	if individualID == "" {
		return nil
	}
	if err := applyReadMarks(c); err != nil {
		return err
	}
	delete(c.Cache, readMarkKey(channelID, individualID))
	_, err := c.Tx.ExecContext(c.Ctx, moveReadMarkSQL, channelID, individualID, c.Now,
		readMarkAttrs(msg.ID, msg.Str("posted-time"), c.Now), allowPast)
	return err
}

// moveReadMarkSQL is jsonapi.AddLink of a read mark that, unless the last
// argument allows going back, only moves forward: a mark at or past the
// message's posted-time stays. One statement, where reading the mark first
// was two.
const moveReadMarkSQL = `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES ('` + relRead + `', ?, ?, ?, ?)
	ON CONFLICT (rel, from_id, to_id) DO UPDATE SET attrs = excluded.attrs
	WHERE ?5 OR COALESCE(json_extract(cr_links.attrs, '$."posted-time"'), '') < json_extract(excluded.attrs, '$."posted-time"')`

// readMark reads an individual's read mark of a channel once per request
// (a page of messages asks for the same one a hundred times).
func readMarkOf(c *jsonapi.Call, channelID, individualID string) (readMark, error) {
	key := readMarkKey(channelID, individualID)
	if m, ok := c.Cache[key].(readMark); ok {
		return m, nil
	}
	var mark readMark
	if err := applyReadMarks(c); err != nil {
		return mark, err
	}
	if _, err := jsonapi.LinkAttrs(c.Ctx, c.Tx, relRead, channelID, individualID, &mark); err != nil {
		return mark, err
	}
	if c.Cache == nil {
		c.Cache = map[string]any{}
	}
	c.Cache[key] = mark
	return mark, nil
}

// readMarkKey is where a read mark is kept in the request's cache.
func readMarkKey(channelID, individualID string) string {
	return "read:" + channelID + "|" + individualID
}

// modifyMessage posts a draft that stops being one.
func modifyMessage(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if _, ok := in["individual-id"]; ok {
		ch, err := c.MustLoad("messaging-channels", rec.ParentID)
		if err != nil {
			return err
		}
		if ok, err := isParticipant(c, ch, rec.Str("individual-id")); err != nil {
			return err
		} else if !ok {
			return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: "/data/attributes/individual-id",
				Detail: "Individual " + rec.Str("individual-id") + " does not participate in channel " + ch.ID + "."}
		}
	}
	if old.Bool("draft") && !rec.Bool("draft") {
		rec.Set("posted-time", c.Now)
		return posted(c, rec)
	}
	return nil
}

// renderMessage computes ack (for the viewer), attachments and, when asked,
// read receipts.
func renderMessage(c *jsonapi.Call, rec *jsonapi.Record) error {
	ack, err := messageAck(c, rec.ParentID, rec.Str("individual-id"), rec.Str("posted-time"))
	if err != nil {
		return err
	}
	rec.Set("ack", ack)
	// Only a message that counts uploaded attachments has any to read.
	views, ok := c.Cache["attachments:"+rec.ID].([]attachmentView)
	if !ok && rec.Int(attachmentCount) > 0 {
		byMessage, err := attachmentsOf(c, []string{rec.ID})
		if err != nil {
			return err
		}
		views = byMessage[rec.ID]
	}
	if views == nil {
		views = []attachmentView{}
	}
	rec.Set("attachments", views)
	if c.Query.Bool("include-read-receipts") {
		r, err := receipts(c, rec)
		if err != nil {
			return err
		}
		rec.Set("read-receipts", r.Read)
	} else {
		rec.Set("read-receipts", []receipt{})
	}
	if !c.Query.Bool("include-phrases") {
		rec.Set("phrases", map[string]string{})
	}
	return nil
}

// spliceMessage is renderMessage for a page of messages read as stored
// (jsonapi.SpliceFunc): the same ack, attachments (none: a message with
// some goes to renderMessage), read-receipts and phrases, encoded as rec.Set
// encodes them. Receipts (include-read-receipts) go to renderMessage.
func spliceMessage(c *jsonapi.Call, rec *jsonapi.Record) ([]jsonapi.AttrValue, bool, error) {
	p, ok := c.Cache[messagePageKey].(*messagePage)
	if !ok {
		p = newMessagePage(c)
		if c.Cache == nil {
			c.Cache = map[string]any{}
		}
		c.Cache[messagePageKey] = p
	}
	if p.receipts || rec.Int(attachmentCount) > 0 {
		return nil, false, nil // renderMessage shows what prefetchMessages read
	}
	ack, err := p.ack(c, rec.ParentID, rec.Str("individual-id"), rec.Str("posted-time"))
	if err != nil {
		return nil, false, err
	}
	if ack {
		return p.computed[1], true, nil
	}
	return p.computed[0], true, nil
}

// messagePage is what spliceMessage finds once for a whole page: the
// parameters, the viewer, the read mark of the channel it last looked at,
// and the attributes it computes, by ack (false, true), which every message
// of the page shares (they are only read).
type messagePage struct {
	receipts bool // include-read-receipts: every message goes to renderMessage
	viewer   string
	channel  string // whose read mark mark is ("": none read yet)
	mark     readMark
	computed [2][]jsonapi.AttrValue
}

const messagePageKey = "splice:messages"

func newMessagePage(c *jsonapi.Call) *messagePage {
	p := &messagePage{receipts: c.Query.Bool("include-read-receipts"), viewer: viewer(c)}
	for i, ack := range []bool{false, true} {
		p.computed[i] = []jsonapi.AttrValue{{Name: "ack", Value: jsonBool(ack)},
			{Name: "attachments", Value: json.RawMessage("[]")}, {Name: "read-receipts", Value: json.RawMessage("[]")}}
		if !c.Query.Bool("include-phrases") {
			p.computed[i] = append(p.computed[i], jsonapi.AttrValue{Name: "phrases", Value: json.RawMessage("{}")})
		}
	}
	return p
}

// ack is messageAck for the page's viewer.
func (p *messagePage) ack(c *jsonapi.Call, channelID, author, posted string) (bool, error) {
	return ackFor(p.viewer, author, posted, func() (readMark, error) {
		if channelID != p.channel {
			mark, err := readMarkOf(c, channelID, p.viewer)
			if err != nil {
				return readMark{}, err
			}
			p.channel, p.mark = channelID, mark
		}
		return p.mark, nil
	})
}

// messageAck is a message's ack for the viewer: their own message, or one
// posted up to their read mark of the channel (false for nobody).
func messageAck(c *jsonapi.Call, channelID, author, posted string) (bool, error) {
	viewer := viewer(c)
	return ackFor(viewer, author, posted, func() (readMark, error) { return readMarkOf(c, channelID, viewer) })
}

// ackFor is messageAck given the viewer and how to read their mark.
func ackFor(viewer, author, posted string, mark func() (readMark, error)) (bool, error) {
	if viewer == "" {
		return false, nil
	}
	if author == viewer {
		return true, nil
	}
	m, err := mark()
	if err != nil {
		return false, err
	}
	return posted != "" && m.PostedTime >= posted, nil
}

// jsonBool is a boolean as JSON.
func jsonBool(b bool) json.RawMessage {
	if b {
		return json.RawMessage("true")
	}
	return json.RawMessage("false")
}

// prefetchMessages reads the uploaded attachments of a page of messages in
// one query, for the messages that count some (none: no query).
func prefetchMessages(c *jsonapi.Call, recs []*jsonapi.Record) error {
	var ids []string
	for _, r := range recs {
		if r.Int(attachmentCount) > 0 { // a page's messages may not be decoded yet
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	byMessage, err := attachmentsOf(c, ids)
	if err != nil {
		return err
	}
	if c.Cache == nil {
		c.Cache = map[string]any{}
	}
	for _, id := range ids {
		c.Cache["attachments:"+id] = byMessage[id]
	}
	return nil
}

// attachmentsOf reads the uploaded attachments of messages, by message id.
func attachmentsOf(c *jsonapi.Call, messageIDs []string) (map[string][]attachmentView, error) {
	args := []any{}
	for _, id := range messageIDs {
		args = append(args, id)
	}
	atts, err := jsonapi.QueryRecords(c.Ctx, c.Tx, attachmentsSQL(len(messageIDs)), args...)
	if err != nil {
		return nil, err
	}
	out := map[string][]attachmentView{}
	for _, a := range atts {
		v := attachmentView{ContentSize: a.Int("content-size"), ID: a.ID, Removed: a.Bool("removed")}
		a.Decode("content-type", &v.ContentType)
		a.Decode("filename", &v.Filename)
		a.Decode("thumbnail", &v.Thumbnail)
		out[a.ParentID] = append(out[a.ParentID], v)
	}
	return out, nil
}

// attachmentsSQL reads the uploaded attachments of n messages (a page's).
func attachmentsSQL(n int) string {
	return `SELECT ` + jsonapi.RecordColumns + ` FROM cr_resources INDEXED BY cr_resources_parent
		WHERE type = 'messaging-attachments' AND parent_id IN (` + jsonapi.Placeholders(n) + `)
		AND json_extract(attrs, '$."_uploaded"') = 1 ORDER BY created_at, id`
}

// receipts splits the channel's participants (the author aside) into those
// who have read the message and those who have not.
func receipts(c *jsonapi.Call, msg *jsonapi.Record) (*receiptsAnswer, error) {
	ch, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "messaging-channels", msg.ParentID)
	if err != nil {
		return nil, err
	}
	out := &receiptsAnswer{Read: []receipt{}, Unread: []receipt{}}
	if ch == nil {
		return out, nil
	}
	if err := applyReadMarks(c); err != nil {
		return nil, err
	}
	ps, err := participants(c, ch)
	if err != nil {
		return nil, err
	}
	posted := msg.Str("posted-time")
	for _, id := range ps {
		if id == msg.Str("individual-id") {
			continue
		}
		r := receipt{IndividualID: id}
		if ind, err := individual(c, id); err != nil {
			return nil, err
		} else if ind != nil {
			r.IndividualFirstName, r.IndividualLastName = ind.FirstName, ind.LastName
		}
		var mark readMark
		if _, err := jsonapi.LinkAttrs(c.Ctx, c.Tx, relRead, ch.ID, id, &mark); err != nil {
			return nil, err
		}
		if posted != "" && mark.PostedTime >= posted {
			at := mark.AckTime
			r.AckTime, r.AckUserTime = &at, &at
			out.Read = append(out.Read, r)
		} else {
			out.Unread = append(out.Unread, r)
		}
	}
	return out, nil
}

// ackMessage marks the message and every earlier one read for the individual.
func ackMessage(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		AllowPast    bool   `json:"allow-past"`
		IndividualID string `json:"individual-id"`
	}
	_ = decodeBody(body, &in) // checked against the catalog's fields already
	who, err := actingParticipant(c, rec, in.IndividualID)
	if err != nil {
		return nil, err
	}
	if rec.Str("posted-time") == "" {
		return nil, jsonapi.ErrPointer("", "A draft cannot be acknowledged.")
	}
	if err := markRead(c, rec.ParentID, who, rec, in.AllowPast); err != nil {
		return nil, err
	}
	return rec, nil
}

// actingParticipant is the body's individual-id (else the caller's individual),
// which must participate in the message's channel.
func actingParticipant(c *jsonapi.Call, msg *jsonapi.Record, individualID string) (string, error) {
	who := jsonapi.LowerID(individualID)
	if who == "" {
		who = callerIndividual(c)
	}
	ch, err := c.MustLoad("messaging-channels", msg.ParentID)
	if err != nil {
		return "", err
	}
	ok, err := isParticipant(c, ch, who)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", jsonapi.ErrPointer("/individual-id", "Individual %s does not participate in channel %s.", who, ch.ID)
	}
	return who, nil
}

type reactionBody struct {
	IndividualID string `json:"individual-id"`
	ReactionType string `json:"reaction-type"`
}

// addReaction adds one reaction per individual and type.
func addReaction(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in reactionBody
	_ = decodeBody(body, &in)
	who, err := actingParticipant(c, rec, in.IndividualID)
	if err != nil {
		return nil, err
	}
	var rs []reaction
	rec.Decode("reactions", &rs)
	for _, r := range rs {
		if r.IndividualID == who && r.ReactionType == in.ReactionType {
			return rec, nil
		}
	}
	r := reaction{IndividualID: who, ReactionType: in.ReactionType}
	if ind, err := individual(c, who); err != nil {
		return nil, err
	} else if ind != nil {
		r.FirstName, r.LastName = ind.FirstName, ind.LastName
	}
	if u, err := userOf(c, who); err != nil {
		return nil, err
	} else if u != nil {
		r.UserName = u.Str("username")
	}
	rec.Set("reactions", append(rs, r))
	return rec, c.Save(rec)
}

// deleteReaction removes the individual's reaction of that type (absent: no change).
func deleteReaction(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in reactionBody
	_ = decodeBody(body, &in)
	who, err := actingParticipant(c, rec, in.IndividualID)
	if err != nil {
		return nil, err
	}
	var rs []reaction
	rec.Decode("reactions", &rs)
	kept := []reaction{}
	for _, r := range rs {
		if !(r.IndividualID == who && r.ReactionType == in.ReactionType) {
			kept = append(kept, r)
		}
	}
	rec.Set("reactions", kept)
	return rec, c.Save(rec)
}

// messageReceipts answers who has read the message and who has not.
func messageReceipts(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if v := c.Query.Get("individual-id"); v != "" {
		if _, err := actingParticipant(c, rec, v); err != nil {
			var e *jsonapi.Error
			if errors.As(err, &e) && e.Pointer != "" {
				e.Pointer, e.Parameter = "", "individual-id"
			}
			return nil, err
		}
	}
	r, err := receipts(c, rec)
	if err != nil {
		return nil, err
	}
	return jsonapi.Plain(200, r), nil
}
