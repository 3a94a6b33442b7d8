package greenarrow

import (
	"bytes"
	"fmt"
	"strconv"
)

// Organization is an organization on the wire, in the key order of the docs'
// examples. The pointer members are the attributes only a system
// administrator may see: they are nil (absent) for an organization admin.
// The fixture tags are the fixture file's rules (store.ReadFixture).
type Organization struct {
	ID                       int64                    `json:"id" fixture:"required,min=1"`
	Name                     string                   `json:"name" fixture:"required"`
	AnniversaryDay           int                      `json:"anniversary_day" fixture:"min=1,max=31"`
	TimeZoneName             string                   `json:"time_zone_name"`
	TimeZoneUTCOffset        int                      `json:"time_zone_utc_offset"`
	Active                   *bool                    `json:"active,omitempty"`
	HTMLHeader               string                   `json:"html_header"`
	HTMLFooter               string                   `json:"html_footer"`
	TextHeader               string                   `json:"text_header"`
	TextFooter               string                   `json:"text_footer"`
	CustomHeaders            *string                  `json:"custom_headers,omitempty"`
	Permissions              *Permissions             `json:"permissions,omitempty"`
	AutoSubscriberManagement AutoSubscriberManagement `json:"auto_subscriber_management"`
	SendingQuota             *Quota                   `json:"sending_quota,omitempty"`
	SubscriberQuota          *Quota                   `json:"subscriber_quota,omitempty"`
}

// Permissions are what an organization's users may choose when sending.
type Permissions struct {
	ForcedUnsubTagMode     string                 `json:"forced_unsub_tag_mode" fixture:"required,enum=default|none|link|link_or_token"`
	VirtualMTA             VirtualMTAPermission   `json:"virtual_mta" fixture:"required"`
	BounceEmail            BounceEmailPermission  `json:"bounce_email" fixture:"required"`
	URLDomain              URLDomainPermission    `json:"url_domain" fixture:"required"`
	EmailAddress           EmailAddressPermission `json:"email_address" fixture:"required"`
	SpecialSendingRule     ModePermission         `json:"special_sending_rule" fixture:"required"`
	Speed                  Speed                  `json:"speed" fixture:"required"`
	CanEditHeaderAndFooter bool                   `json:"can_edit_header_and_footer" fixture:"required"`
}

// VirtualMTAPermission: only the member the mode uses is present
// (virtual_mtas for select_some, virtual_mta for hide_one).
type VirtualMTAPermission struct {
	Mode        string       `json:"mode" fixture:"required,enum=select_any|select_some|hide_one"`
	VirtualMTA  *VirtualMTA  `json:"virtual_mta,omitempty"`
	VirtualMTAs []VirtualMTA `json:"virtual_mtas,omitempty"`
}

// BounceEmailPermission works like VirtualMTAPermission.
type BounceEmailPermission struct {
	Mode         string        `json:"mode" fixture:"required,enum=select_any|select_some|hide_one"`
	BounceEmail  *BounceEmail  `json:"bounce_email,omitempty"`
	BounceEmails []BounceEmail `json:"bounce_emails,omitempty"`
}

// URLDomainPermission works like VirtualMTAPermission.
type URLDomainPermission struct {
	Mode       string      `json:"mode" fixture:"required,enum=select_any|select_some|hide_one"`
	URLDomain  *URLDomain  `json:"url_domain,omitempty"`
	URLDomains []URLDomain `json:"url_domains,omitempty"`
}

// EmailAddressPermission lists the addresses and @domains of select_some.
type EmailAddressPermission struct {
	Mode      string   `json:"mode" fixture:"required,enum=select_any|select_some"`
	Addresses []string `json:"addresses,omitempty"`
}

// ModePermission is a permission that is only a mode.
type ModePermission struct {
	Mode string `json:"mode" fixture:"required,enum=select_any|none"`
}

// Speed is messages per hour (0: unthrottled), or "select_any".
type Speed struct {
	SelectAny bool
	PerHour   int64
}

const selectAny = "select_any"

// MarshalJSON writes "select_any" or the integer.
func (s Speed) MarshalJSON() ([]byte, error) {
	if s.SelectAny {
		return []byte(`"select_any"`), nil
	}
	return []byte(strconv.FormatInt(s.PerHour, 10)), nil
}

// UnmarshalJSON reads what MarshalJSON writes (stored state and fixtures);
// client input goes through parseSpeed, which explains what is wrong.
func (s *Speed) UnmarshalJSON(b []byte) error {
	v, ok := parseSpeed(b)
	if !ok {
		return fmt.Errorf("must be a non-negative integer or \"select_any\", not %s", b)
	}
	*s = v
	return nil
}

func parseSpeed(b []byte) (Speed, bool) {
	b = bytes.TrimSpace(b)
	if string(b) == `"select_any"` {
		return Speed{SelectAny: true}, true
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return Speed{}, false
	}
	return Speed{PerHour: n}, true
}

// AutoSubscriberManagement: the suppression lists are null when none is used.
type AutoSubscriberManagement struct {
	DistributeRemovals    bool             `json:"distribute_removals"`
	UnsubSuppressionList  *SuppressionList `json:"unsub_suppression_list"`
	BounceSuppressionList *SuppressionList `json:"bounce_suppression_list"`
	ScompSuppressionList  *SuppressionList `json:"scomp_suppression_list"`
}

// Quota is a sending or subscriber quota. Only the members its mode uses are
// present: just the mode for no_limit (as in the docs' update example, which
// sends notify_organization_admins with no_limit and gets only the mode back).
type Quota struct {
	Mode                     string `json:"mode" fixture:"required"`
	Limit                    *int64 `json:"limit,omitempty"`
	Overage                  *int64 `json:"overage,omitempty"`
	NotifyOrganizationAdmins *bool  `json:"notify_organization_admins,omitempty"`
}

// The referenced objects.
type (
	// VirtualMTA is an IP address, relay server or routing rule.
	VirtualMTA struct {
		ID   int64  `json:"id" fixture:"required,min=1"`
		Name string `json:"name" fixture:"required"`
		Type string `json:"type" fixture:"required,enum=ip_address|relay_server|routing_rule"`
	}
	// URLDomain is a domain for click and open tracking URLs.
	URLDomain struct {
		ID     int64  `json:"id" fixture:"required,min=1"`
		Domain string `json:"domain" fixture:"required"`
	}
	// BounceEmail is a bounce address; GreenArrow's ids look like "1@1".
	BounceEmail struct {
		ID    string `json:"id" fixture:"required"`
		Email string `json:"email" fixture:"required"`
	}
	// SuppressionList is a list auto subscriber management appends to.
	SuppressionList struct {
		ID   int64  `json:"id" fixture:"required,min=1"`
		Name string `json:"name" fixture:"required"`
	}
)

// org is an organization as stored: every attribute, whoever asks.
type org struct {
	ID                       int64
	Name                     string
	Active                   bool
	AnniversaryDay           int
	Zone                     zone
	HTMLHeader               string
	HTMLFooter               string
	TextHeader               string
	TextFooter               string
	CustomHeaders            string
	Permissions              Permissions
	AutoSubscriberManagement AutoSubscriberManagement
	SendingQuota             Quota
	SubscriberQuota          Quota
	CreditsAvailable         int64
	// kept are the documents an update does not change, as they were
	// read, which documents() writes back as they are (their members above
	// are zero when the update did not need them decoded).
	kept documents
}

// view is the organization as the caller may see it.
func (o *org) view(system bool) Organization {
	v := Organization{
		ID: o.ID, Name: o.Name, AnniversaryDay: o.AnniversaryDay,
		TimeZoneName: o.Zone.Display, TimeZoneUTCOffset: o.Zone.Offset,
		HTMLHeader: o.HTMLHeader, HTMLFooter: o.HTMLFooter, TextHeader: o.TextHeader, TextFooter: o.TextFooter,
		AutoSubscriberManagement: o.AutoSubscriberManagement,
	}
	if system {
		active, headers, perms, sq, subq := o.Active, o.CustomHeaders, o.Permissions, o.SendingQuota, o.SubscriberQuota
		v.Active, v.CustomHeaders, v.Permissions, v.SendingQuota, v.SubscriberQuota = &active, &headers, &perms, &sq, &subq
	}
	return v
}

// fromFixture reads an organization written as the API shows it to a system
// administrator. What the fixture leaves out is what a create fills in.
func fromFixture(v Organization) (*org, error) {
	o := newOrg()
	if v.TimeZoneName != "" {
		z, ok := lookupZone(v.TimeZoneName)
		if !ok {
			return nil, fmt.Errorf("unknown time zone %q", v.TimeZoneName)
		}
		o.Zone = z
	}
	o.ID, o.Name = v.ID, v.Name
	if v.AnniversaryDay != 0 {
		o.AnniversaryDay = v.AnniversaryDay
	}
	o.HTMLHeader, o.HTMLFooter, o.TextHeader, o.TextFooter = v.HTMLHeader, v.HTMLFooter, v.TextHeader, v.TextFooter
	o.AutoSubscriberManagement = v.AutoSubscriberManagement
	if v.Active != nil {
		o.Active = *v.Active
	}
	if v.CustomHeaders != nil {
		o.CustomHeaders = *v.CustomHeaders
	}
	if v.Permissions != nil {
		o.Permissions = *v.Permissions
	}
	if v.SendingQuota != nil {
		o.SendingQuota = *v.SendingQuota
	}
	if v.SubscriberQuota != nil {
		o.SubscriberQuota = *v.SubscriberQuota
	}
	return o, nil
}

// newOrg is an organization with the defaults a create fills in (read off the
// docs' create example).
func newOrg() *org {
	z, _ := lookupZone(defaultZone)
	return &org{
		Active: true, AnniversaryDay: 1, Zone: z,
		Permissions: Permissions{
			ForcedUnsubTagMode: "default",
			VirtualMTA:         VirtualMTAPermission{Mode: selectAny},
			BounceEmail:        BounceEmailPermission{Mode: selectAny},
			URLDomain:          URLDomainPermission{Mode: selectAny},
			EmailAddress:       EmailAddressPermission{Mode: selectAny},
			SpecialSendingRule: ModePermission{Mode: "none"},
			Speed:              Speed{SelectAny: true},

			CanEditHeaderAndFooter: true,
		},
		SendingQuota:    Quota{Mode: "no_limit"},
		SubscriberQuota: Quota{Mode: "no_limit"},
	}
}
