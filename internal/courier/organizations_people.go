package courier

import (
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// The organizations and people family: organizations, users (the records:
// list, get, modify), individuals and individual groups, with the individual
// actions (multicast, recalculate-communication-summary).

// organizationsPeopleResources is the table of organizations, users,
// individuals and individual groups.
func organizationsPeopleResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "organizations", Path: "/v1/organizations/",
			List: "organizations.list", Get: "organizations.get",
			Text: []string{"name", "display-name"},
		},
		{
			Type: "users", Path: "/v1/users/",
			List: "users.list", Get: "users.get", Modify: "users.modify",
			Text:    []string{"username", "email", "first-name", "last-name"},
			Scope:   scopeUsers,
			Visible: visibleUser,
			Params: map[string]jsonapi.ParamHook{
				"filter[individual-id]": matchAttr("primary-individual-id"),
				"filter[email]":         matchLower("email"),
			},
			BeforeModify: modifyUser,
		},
		{
			Type: "individuals", Path: "/v1/individuals/",
			Get: "individuals.get",
			Actions: []jsonapi.Action{
				{Op: "individuals.multicast", OnItem: true, Handler: individualMulticast},
				{Op: "individuals.recalculate-communication-summary", OnItem: true, Handler: recalculateSummary},
			},
		},
		{
			Type: "individual-groups", Path: "/v1/individual-groups/",
			Get: "individual-groups.get",
			// Read-only: the shapes hold fixtures to the samples.
			Shapes: map[string]*jsonapi.Shape{
				"individuals": {Kind: "array", Items: idRefShape()},
				"leaders":     {Kind: "array", Items: idRefShape()},
			},
		},
	}
}

// individualMulticast sends a template to one individual: it is recorded as a
// multicast (so GET /v1/multicasts/ shows it) whose id is the task id.
func individualMulticast(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		OrganizationID string  `json:"organization-id"`
		TemplateData   jsonRaw `json:"template-data"`
		TemplateID     string  `json:"template-id"`
	}
	_ = decodeBody(body, &in)
	org := rec.OrgID
	if in.OrganizationID != "" {
		org = jsonapi.LowerID(in.OrganizationID)
		if org != rec.OrgID {
			return nil, jsonapi.ErrPointer("/organization-id", "Individual %s is not in organization %s.", rec.ID, org)
		}
	}
	m := &jsonapi.Record{Type: "multicasts", ID: c.Engine.IDs.UUID(), OrgID: org, CreatedAt: c.Now, Attrs: map[string]jsonRaw{}}
	c.Stamp(m, true)
	m.Set("template-id", in.TemplateID)
	m.Attrs["data"] = in.TemplateData
	m.Attrs["template-args"] = in.TemplateData
	m.Set("individual-id", rec.ID)
	m.Set("individual-ids", []string{rec.ID})
	m.Set("first-name", rec.Str("first-name"))
	m.Set("last-name", rec.Str("last-name"))
	m.Set("status", "completed")
	m.Set("filter-type", "individual")
	if err := c.Insert(m); err != nil {
		return nil, err
	}
	return taskAnswer{MessageData: in.TemplateData, TaskID: m.ID}, nil
}

// recalculateSummary refreshes the individual's summary stamp; the summary
// itself is always computed from the records that exist.
func recalculateSummary(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	rec.Set("last-modified-time", c.Now)
	return rec, c.Save(rec)
}

// scopeUsers: a caller sees the users of the organizations they are a member of.
func scopeUsers(c *jsonapi.Call) (string, []any) {
	if len(c.Caller.Orgs) == 0 {
		return "0", nil
	}
	jsonapi.ReachFrom(c.Ctx).Add(c.Caller.Orgs...) // the total counts them all
	args := jsonapi.AppendArgs([]any{relMember}, c.Caller.Orgs...)
	return `id IN (SELECT from_id FROM cr_links WHERE rel = ? AND to_id IN (` + jsonapi.Placeholders(len(c.Caller.Orgs)) + `))`, args
}

func visibleUser(c *jsonapi.Call, rec *jsonapi.Record) bool {
	if rec.ID == c.Caller.UserID {
		return true
	}
	orgs, err := jsonapi.LinkedTo(c.Ctx, c.Tx, relMember, rec.ID)
	if err != nil {
		return false
	}
	for _, o := range orgs {
		if c.Caller.Member(o) {
			return true
		}
	}
	return false
}

// modifyUser: a user changes only their own notification settings (the one
// attribute of the deprecated PATCH).
func modifyUser(c *jsonapi.Call, old, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if old.ID != c.Caller.UserID {
		return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission,
			Detail: "You do not have permission to modify another user."}
	}
	return nil
}

// matchAttr maps a filter to an exact match on another attribute.
func matchAttr(attr string) jsonapi.ParamHook {
	return func(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
		q.Where("lower("+jsonapi.JSONAttr(attr)+") = ?", jsonapi.LowerID(v))
		return nil
	}
}

// matchLower matches a text attribute case-insensitively (e-mail addresses).
func matchLower(attr string) jsonapi.ParamHook {
	return func(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
		q.Where("lower("+jsonapi.JSONAttr(attr)+") = ?", strings.ToLower(v))
		return nil
	}
}

// individualView is what other resources show of an individual.
type individualView struct {
	ID            string
	FirstName     string
	LastName      string
	PreferredName *string
	BirthDate     *string
	OrgID         string
}

// individual reads an individual the caller may see (nil when there is none).
func individual(c *jsonapi.Call, id string) (*individualView, error) {
	rec, err := c.View("individuals", id)
	if err != nil || rec == nil {
		return nil, err
	}
	v := &individualView{ID: rec.ID, FirstName: rec.Str("first-name"), LastName: rec.Str("last-name"), OrgID: rec.OrgID}
	rec.Decode("preferred-name", &v.PreferredName)
	rec.Decode("birth-date", &v.BirthDate)
	return v, nil
}

// callerUser reads the caller's own user record, as stored: read it with
// the accessors.
func callerUser(c *jsonapi.Call) (*jsonapi.Record, error) {
	return c.Engine.LoadStored(c.Ctx, c.Tx, "users", c.Caller.UserID)
}

// groupMembers reads the individual and leader ids of an individual group.
func groupMembers(g *jsonapi.Record) (individuals, leaders []string) {
	var is, ls []jsonapi.IDRef
	g.Decode("individuals", &is)
	g.Decode("leaders", &ls)
	for _, r := range is {
		individuals = append(individuals, r.ID)
	}
	for _, r := range ls {
		leaders = append(leaders, r.ID)
	}
	return individuals, leaders
}

// groupView is an individual group as channels and multicasts embed it.
type groupView struct {
	IndividualIDs    []string          `json:"individual-ids"`
	Individuals      []groupIndividual `json:"individuals"`
	IndividualsCount int               `json:"individuals-count"`
	LeaderIDs        []string          `json:"leader-ids"`
	Leaders          []groupLeader     `json:"leaders"`
	Name             string            `json:"name"`
	OrganizationID   string            `json:"organization-id"`
}

type groupIndividual struct {
	BirthDate     *string  `json:"birth-date"`
	FirstName     string   `json:"first-name"`
	ID            string   `json:"id"`
	LastName      string   `json:"last-name"`
	Name          string   `json:"name"`
	Owner         ownerRef `json:"owner"`
	PreferredName *string  `json:"preferred-name"`
	Verified      bool     `json:"verified"`
}

type ownerRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type groupLeader struct {
	FirstName string `json:"first-name"`
	ID        string `json:"id"`
	LastName  string `json:"last-name"`
}

// embedGroup builds the embedded view of the individual group id (nil when none).
func embedGroup(c *jsonapi.Call, id string) (*groupView, error) {
	if id == "" {
		return nil, nil
	}
	g, err := c.Load("individual-groups", id)
	if err != nil || g == nil {
		return nil, err
	}
	is, ls := groupMembers(g)
	return groupEmbed(c, g, is, ls)
}

// groupEmbed is embedGroup of a group already read (nil: none) and its
// members and leaders (groupMembers).
func groupEmbed(c *jsonapi.Call, g *jsonapi.Record, is, ls []string) (*groupView, error) {
	if g == nil {
		return nil, nil
	}
	v := &groupView{IndividualIDs: nonNil(is), Individuals: []groupIndividual{}, LeaderIDs: nonNil(ls),
		Leaders: []groupLeader{}, Name: g.Str("name"), OrganizationID: g.Str("organization-id")}
	for _, id := range is {
		ind, err := individual(c, id)
		if err != nil {
			return nil, err
		}
		if ind == nil {
			continue
		}
		v.Individuals = append(v.Individuals, groupIndividual{BirthDate: ind.BirthDate, FirstName: ind.FirstName, ID: ind.ID,
			LastName: ind.LastName, Name: strings.TrimSpace(ind.FirstName + " " + ind.LastName),
			Owner: ownerRef{ID: ind.OrgID, Type: "organization"}, PreferredName: ind.PreferredName, Verified: true})
	}
	for _, id := range ls {
		ind, err := individual(c, id)
		if err != nil {
			return nil, err
		}
		if ind != nil {
			v.Leaders = append(v.Leaders, groupLeader{FirstName: ind.FirstName, ID: ind.ID, LastName: ind.LastName})
		}
	}
	v.IndividualsCount = len(v.Individuals)
	return v, nil
}
