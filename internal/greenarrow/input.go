package greenarrow

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// opt is a request member that tells "absent" from "null" from a value, which
// a partial update needs: absent keeps, null clears, a value replaces.
type opt[T any] struct {
	Set, Null bool
	V         T
}

// UnmarshalJSON is only called for members present in the body.
func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// JSONTarget implements httpx.Wrapper: the keys inside are checked against T.
func (o *opt[T]) JSONTarget() any { return &o.V }

// orgInput is the payload of create and update: every attribute, all optional.
// id and time_zone_utc_offset are read-only and ignored, like any unknown member.
type orgInput struct {
	Name                     opt[string]           `json:"name"`
	Active                   opt[bool]             `json:"active"`
	AnniversaryDay           opt[int64]            `json:"anniversary_day"`
	TimeZoneName             opt[string]           `json:"time_zone_name"`
	HTMLHeader               opt[string]           `json:"html_header"`
	HTMLFooter               opt[string]           `json:"html_footer"`
	TextHeader               opt[string]           `json:"text_header"`
	TextFooter               opt[string]           `json:"text_footer"`
	CustomHeaders            opt[string]           `json:"custom_headers"`
	Permissions              opt[permissionsInput] `json:"permissions"`
	AutoSubscriberManagement opt[autoSubscriberIn] `json:"auto_subscriber_management"`
	SendingQuota             opt[quotaInput]       `json:"sending_quota"`
	SubscriberQuota          opt[quotaInput]       `json:"subscriber_quota"`
}

type permissionsInput struct {
	ForcedUnsubTagMode     opt[string]             `json:"forced_unsub_tag_mode"`
	VirtualMTA             opt[virtualMTAPermIn]   `json:"virtual_mta"`
	BounceEmail            opt[bounceEmailPermIn]  `json:"bounce_email"`
	URLDomain              opt[urlDomainPermIn]    `json:"url_domain"`
	EmailAddress           opt[emailAddressPermIn] `json:"email_address"`
	SpecialSendingRule     opt[modeInput]          `json:"special_sending_rule"`
	Speed                  opt[json.RawMessage]    `json:"speed"`
	CanEditHeaderAndFooter opt[bool]               `json:"can_edit_header_and_footer"`
}

// refPermIn is a permission over referenced objects; the three kinds below
// differ only in their member names and convert to it.
type refPermIn struct {
	Mode opt[string]
	One  opt[refInput]
	Some opt[[]refInput]
}

type virtualMTAPermIn struct {
	Mode opt[string]     `json:"mode"`
	One  opt[refInput]   `json:"virtual_mta"`
	Some opt[[]refInput] `json:"virtual_mtas"`
}

type bounceEmailPermIn struct {
	Mode opt[string]     `json:"mode"`
	One  opt[refInput]   `json:"bounce_email"`
	Some opt[[]refInput] `json:"bounce_emails"`
}

type urlDomainPermIn struct {
	Mode opt[string]     `json:"mode"`
	One  opt[refInput]   `json:"url_domain"`
	Some opt[[]refInput] `json:"url_domains"`
}

type emailAddressPermIn struct {
	Mode      opt[string]   `json:"mode"`
	Addresses opt[[]string] `json:"addresses"`
}

type modeInput struct {
	Mode opt[string] `json:"mode"`
}

// refInput names a referenced object by any of its attributes ("type" is
// read-only and ignored). The id is raw: bounce email ids are strings.
type refInput struct {
	ID     json.RawMessage `json:"id"`
	Name   *string         `json:"name"`
	Email  *string         `json:"email"`
	Domain *string         `json:"domain"`
}

type autoSubscriberIn struct {
	DistributeRemovals    opt[bool]     `json:"distribute_removals"`
	UnsubSuppressionList  opt[refInput] `json:"unsub_suppression_list"`
	BounceSuppressionList opt[refInput] `json:"bounce_suppression_list"`
	ScompSuppressionList  opt[refInput] `json:"scomp_suppression_list"`
}

type quotaInput struct {
	Mode                     opt[string] `json:"mode"`
	Limit                    opt[int64]  `json:"limit"`
	Overage                  opt[int64]  `json:"overage"`
	NotifyOrganizationAdmins opt[bool]   `json:"notify_organization_admins"`
}

// decodeOrganization reads {"organization": {...}}, or the attributes
// unwrapped (accepted as well, by decision).
func decodeOrganization(r *http.Request) (orgInput, error) {
	var in orgInput
	body, err := httpx.ReadBody(r)
	if err != nil {
		return in, err
	}
	var wrapper struct {
		Organization json.RawMessage `json:"organization"`
	}
	if err := httpx.Unmarshal(body, &wrapper, false); err != nil {
		return in, err
	}
	if raw := bytes.TrimSpace(wrapper.Organization); len(raw) > 0 {
		if raw[0] != '{' {
			return in, invalidRequest("organization must be a JSON object")
		}
		body = raw
	}
	err = httpx.Unmarshal(body, &in, false)
	return in, err
}
