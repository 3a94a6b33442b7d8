package courier

import "github.com/emulator/vendor-emulator/internal/courier/jsonapi"

// Hooks of individuals: multicast and the communication summary.

// taskAnswer is what the multicast actions answer.
type taskAnswer struct {
	MessageData jsonRaw `json:"message-data"`
	TaskID      string  `json:"task-id"`
}

// individualMulticast sends a template to one individual: it is recorded as a
// multicast (so GET /v1/multicasts/ shows it) whose id is the task id.
func individualMulticast(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		OrganizationID string  `json:"organization-id"`
		TemplateData   jsonRaw `json:"template-data"`
		TemplateID     string  `json:"template-id"`
	}
	_ = remarshal(body, &in)
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
