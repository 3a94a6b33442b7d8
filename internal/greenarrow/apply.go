package greenarrow

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const maxNameLength = 255

// Value sets of the enumerated attributes.
var (
	sendingQuotaModes    = []string{"no_limit", "hidden_limit", "visible_limit", "advisory_message", "fixed_credits"}
	subscriberQuotaModes = []string{"no_limit", "visible_limit"}
	forcedUnsubTagModes  = []string{"default", "none", "link", "link_or_token"}
	refPermissionModes   = []string{selectAny, "select_some", "hide_one"}
	emailAddressModes    = []string{selectAny, "select_some"}
	specialRuleModes     = []string{selectAny, "none"}
)

// customHeaderNames are the headers allowed in custom_headers besides X- headers.
var customHeaderNames = []string{"list-help", "cfbl-address", "cfbl-feedback-id", "bimi-selector"}

var (
	headerLine = regexp.MustCompile(`^([!#$%&'*+.^_` + "`" + `|~0-9A-Za-z-]+):(.*)$`)
	// allowedAddress is "user@example.com" or "@example.com".
	allowedAddress = regexp.MustCompile(`^([^@\s]+)?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$`)
)

// apply merges in into o: what is absent keeps its value, nested hashes are
// merged the same way, references are resolved through q. Attributes the
// caller may not edit are ignored (Rails-style permitted parameters). It
// returns every problem found; o is only meaningful when there are none.
func apply(ctx context.Context, q querier, o *org, in orgInput, system bool) (problems, error) {
	if !system {
		in.Name, in.Active, in.AnniversaryDay, in.CustomHeaders = opt[string]{}, opt[bool]{}, opt[int64]{}, opt[string]{}
		in.Permissions, in.SendingQuota, in.SubscriberQuota = opt[permissionsInput]{}, opt[quotaInput]{}, opt[quotaInput]{}
		if !o.Permissions.CanEditHeaderAndFooter {
			in.HTMLHeader, in.HTMLFooter, in.TextHeader, in.TextFooter = opt[string]{}, opt[string]{}, opt[string]{}, opt[string]{}
		}
	}
	var p problems
	if in.Name.Set {
		o.Name = in.Name.V
	}
	validateName(o.Name, &p) // first, so messages follow the attributes' order
	if in.Active.Set {
		if in.Active.Null {
			p.add("active must be true or false")
		}
		o.Active = in.Active.V
	}
	if in.AnniversaryDay.Set {
		if in.AnniversaryDay.Null || in.AnniversaryDay.V < 1 || in.AnniversaryDay.V > 31 {
			p.add("anniversary_day must be a number from 1 to 31")
		} else {
			o.AnniversaryDay = int(in.AnniversaryDay.V)
		}
	}
	if in.TimeZoneName.Set {
		if z, ok := lookupZone(in.TimeZoneName.V); ok && !in.TimeZoneName.Null {
			o.Zone = z
		} else {
			p.add("time_zone_name is not a known time zone, such as \"(GMT-06:00) Central Time (US & Canada)\"")
		}
	}
	for _, f := range []struct {
		in  opt[string]
		dst *string
	}{{in.HTMLHeader, &o.HTMLHeader}, {in.HTMLFooter, &o.HTMLFooter}, {in.TextHeader, &o.TextHeader},
		{in.TextFooter, &o.TextFooter}, {in.CustomHeaders, &o.CustomHeaders}} {
		if f.in.Set {
			*f.dst = f.in.V // null clears
		}
	}
	if in.Permissions.Set {
		if in.Permissions.Null {
			p.add("permissions must be an object")
		} else if err := applyPermissions(ctx, q, &o.Permissions, in.Permissions.V, &p); err != nil {
			return nil, err
		}
	}
	if in.AutoSubscriberManagement.Set {
		if in.AutoSubscriberManagement.Null {
			p.add("auto_subscriber_management must be an object")
		} else if err := applyAutoSubscriber(ctx, q, &o.AutoSubscriberManagement, in.AutoSubscriberManagement.V, &p); err != nil {
			return nil, err
		}
	}
	if in.SendingQuota.Set {
		if in.SendingQuota.Null {
			p.add("sending_quota must be an object")
		} else {
			o.SendingQuota = mergeQuota(o.SendingQuota, in.SendingQuota.V)
		}
	}
	if in.SubscriberQuota.Set {
		if in.SubscriberQuota.Null {
			p.add("subscriber_quota must be an object")
		} else {
			o.SubscriberQuota = mergeQuota(o.SubscriberQuota, in.SubscriberQuota.V)
		}
	}
	validate(o, &p)
	return p, nil
}

func validateName(name string, p *problems) {
	switch {
	case strings.TrimSpace(name) == "":
		p.add("name cannot be blank")
	case utf8.RuneCountInString(name) > maxNameLength:
		p.add("name is too long (at most %d characters)", maxNameLength)
	}
}

// validate checks what the merge left for last and normalizes the quotas to
// the members their modes use. A quota kept as stored (org.kept) was
// checked and normalized when it was stored.
func validate(o *org, p *problems) {
	validateCustomHeaders(o.CustomHeaders, p)
	if o.kept.SendingQuota == "" {
		o.SendingQuota = validateSendingQuota(o.SendingQuota, p)
	}
	if o.kept.SubscriberQuota == "" {
		o.SubscriberQuota = validateSubscriberQuota(o.SubscriberQuota, p)
	}
}

func validateCustomHeaders(s string, p *problems) {
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := headerLine.FindStringSubmatch(line)
		if m == nil {
			p.add("custom_headers line %d is not a header (\"X-Name: value\")", i+1)
			continue
		}
		name := strings.ToLower(m[1])
		if !strings.HasPrefix(name, "x-") && !slices.Contains(customHeaderNames, name) {
			p.add("custom_headers line %d: %s is not allowed, only X- headers, List-Help, CFBL-Address, CFBL-Feedback-ID and BIMI-Selector", i+1, m[1])
		}
	}
}

func mergeQuota(q Quota, in quotaInput) Quota {
	if in.Mode.Set {
		q.Mode = in.Mode.V
	}
	setPtr(&q.Limit, in.Limit)
	setPtr(&q.Overage, in.Overage)
	setPtr(&q.NotifyOrganizationAdmins, in.NotifyOrganizationAdmins)
	return q
}

func setPtr[T any](dst **T, in opt[T]) {
	switch {
	case in.Null:
		*dst = nil
	case in.Set:
		v := in.V
		*dst = &v
	}
}

func validateSendingQuota(q Quota, p *problems) Quota {
	if !slices.Contains(sendingQuotaModes, q.Mode) {
		p.add("sending_quota.mode must be one of %s", strings.Join(sendingQuotaModes, ", "))
		return q
	}
	if q.Mode == "no_limit" {
		return Quota{Mode: q.Mode}
	}
	if q.Limit == nil || *q.Limit < 0 {
		p.add("sending_quota.limit must be set to an integer greater than or equal to 0 when mode is %s", q.Mode)
	}
	out := Quota{Mode: q.Mode, Limit: q.Limit, NotifyOrganizationAdmins: orFalse(q.NotifyOrganizationAdmins)}
	if q.Mode == "visible_limit" {
		if q.Overage == nil || *q.Overage < 0 {
			p.add("sending_quota.overage must be set to an integer greater than or equal to 0 when mode is visible_limit")
		}
		out.Overage = q.Overage
	}
	return out
}

func validateSubscriberQuota(q Quota, p *problems) Quota {
	if !slices.Contains(subscriberQuotaModes, q.Mode) {
		p.add("subscriber_quota.mode must be one of %s", strings.Join(subscriberQuotaModes, ", "))
		return q
	}
	if q.Mode == "no_limit" {
		return Quota{Mode: q.Mode}
	}
	if q.Limit == nil || *q.Limit < 0 || *q.Limit > 1_000_000_000 {
		p.add("subscriber_quota.limit must be set to an integer between 0 and 1,000,000,000 when mode is visible_limit")
	}
	if q.Overage == nil || *q.Overage < 0 || *q.Overage > 10_000 {
		p.add("subscriber_quota.overage must be set to an integer between 0 and 10,000 when mode is visible_limit")
	}
	return Quota{Mode: q.Mode, Limit: q.Limit, Overage: q.Overage, NotifyOrganizationAdmins: orFalse(q.NotifyOrganizationAdmins)}
}

func orFalse(b *bool) *bool {
	if b == nil {
		b = new(bool)
	}
	return b
}

func applyPermissions(ctx context.Context, q querier, perm *Permissions, in permissionsInput, p *problems) error {
	if in.ForcedUnsubTagMode.Set {
		perm.ForcedUnsubTagMode = in.ForcedUnsubTagMode.V
		if !slices.Contains(forcedUnsubTagModes, perm.ForcedUnsubTagMode) {
			p.add("permissions.forced_unsub_tag_mode must be one of %s", strings.Join(forcedUnsubTagModes, ", "))
		}
	}
	if err := applyRefPermission(ctx, q, p, "permissions.virtual_mta", virtualMTAs, refPermIn(in.VirtualMTA.V), in.VirtualMTA.Set,
		in.VirtualMTA.Null, &perm.VirtualMTA.Mode, &perm.VirtualMTA.VirtualMTA, &perm.VirtualMTA.VirtualMTAs,
		func(a, b VirtualMTA) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return err
	}
	if err := applyRefPermission(ctx, q, p, "permissions.bounce_email", bounceEmails, refPermIn(in.BounceEmail.V), in.BounceEmail.Set,
		in.BounceEmail.Null, &perm.BounceEmail.Mode, &perm.BounceEmail.BounceEmail, &perm.BounceEmail.BounceEmails,
		func(a, b BounceEmail) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return err
	}
	if err := applyRefPermission(ctx, q, p, "permissions.url_domain", urlDomains, refPermIn(in.URLDomain.V), in.URLDomain.Set,
		in.URLDomain.Null, &perm.URLDomain.Mode, &perm.URLDomain.URLDomain, &perm.URLDomain.URLDomains,
		func(a, b URLDomain) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return err
	}
	if ea := in.EmailAddress; ea.Set {
		if ea.Null {
			p.add("permissions.email_address must be an object")
		} else {
			applyEmailAddress(&perm.EmailAddress, ea.V, p)
		}
	}
	if sr := in.SpecialSendingRule; sr.Set {
		if sr.Null || !sr.V.Mode.Set {
			p.add("permissions.special_sending_rule.mode is required")
		} else if perm.SpecialSendingRule.Mode = sr.V.Mode.V; !slices.Contains(specialRuleModes, sr.V.Mode.V) {
			p.add("permissions.special_sending_rule.mode must be one of %s", strings.Join(specialRuleModes, ", "))
		}
	}
	if in.Speed.Set {
		s, ok := parseSpeed(in.Speed.V)
		if in.Speed.Null || !ok {
			p.add("permissions.speed must be a positive integer or the string \"select_any\"")
		}
		perm.Speed = s
	}
	if c := in.CanEditHeaderAndFooter; c.Set {
		if c.Null {
			p.add("permissions.can_edit_header_and_footer must be true or false")
		}
		perm.CanEditHeaderAndFooter = c.V
	}
	return nil
}

// applyRefPermission merges a virtual MTA, bounce email or URL domain
// permission and keeps only the member its mode uses: the list (sorted by
// id, as the docs' create example returns it) for select_some, the single
// object for hide_one.
func applyRefPermission[T any](ctx context.Context, q querier, p *problems, field string, kind refKind[T], in refPermIn,
	set, null bool, mode *string, one **T, some *[]T, byID func(a, b T) int) error {
	if !set {
		return nil
	}
	if null {
		p.add("%s must be an object", field)
		return nil
	}
	if in.Mode.Set {
		*mode = in.Mode.V
	}
	if in.One.Null {
		*one = nil
	} else if in.One.Set {
		v, ok, err := kind.resolve(ctx, q, field+"."+singular(field), in.One.V, p)
		if err != nil {
			return err
		}
		if ok {
			*one = &v
		}
	}
	if in.Some.Null {
		*some = nil
	} else if in.Some.Set {
		list := make([]T, 0, len(in.Some.V))
		for i, ref := range in.Some.V {
			v, ok, err := kind.resolve(ctx, q, field+"."+singular(field)+"s["+strconv.Itoa(i)+"]", ref, p)
			if err != nil {
				return err
			}
			if ok {
				list = append(list, v)
			}
		}
		slices.SortFunc(list, byID)
		*some = slices.CompactFunc(list, func(a, b T) bool { return byID(a, b) == 0 })
	}
	switch *mode {
	case selectAny:
		*one, *some = nil, nil
	case "select_some":
		*one = nil
		if len(*some) == 0 {
			p.add("%s.%ss must list at least one %s when mode is select_some", field, singular(field), kind.label)
		}
	case "hide_one":
		*some = nil
		if *one == nil {
			p.add("%s.%s must name a %s when mode is hide_one", field, singular(field), kind.label)
		}
	default:
		p.add("%s.mode must be one of %s", field, strings.Join(refPermissionModes, ", "))
	}
	return nil
}

// singular is the member name of one object of a permission field
// ("permissions.virtual_mta" → "virtual_mta").
func singular(field string) string { return field[strings.LastIndexByte(field, '.')+1:] }

func applyEmailAddress(ea *EmailAddressPermission, in emailAddressPermIn, p *problems) {
	if in.Mode.Set {
		ea.Mode = in.Mode.V
	}
	if in.Addresses.Set {
		ea.Addresses = in.Addresses.V // null clears
		for _, a := range ea.Addresses {
			if !allowedAddress.MatchString(a) {
				p.add("permissions.email_address.addresses: %q is neither an address like \"user@example.com\" nor a domain like \"@example.com\"", a)
			}
		}
	}
	switch ea.Mode {
	case selectAny:
		ea.Addresses = nil
	case "select_some":
		if len(ea.Addresses) == 0 {
			p.add("permissions.email_address.addresses must list at least one address or domain when mode is select_some")
		}
	default:
		p.add("permissions.email_address.mode must be one of %s", strings.Join(emailAddressModes, ", "))
	}
}

func applyAutoSubscriber(ctx context.Context, q querier, asm *AutoSubscriberManagement, in autoSubscriberIn, p *problems) error {
	if in.DistributeRemovals.Set {
		if in.DistributeRemovals.Null {
			p.add("auto_subscriber_management.distribute_removals must be true or false")
		}
		asm.DistributeRemovals = in.DistributeRemovals.V
	}
	for _, f := range []struct {
		name string
		in   opt[refInput]
		dst  **SuppressionList
	}{{"unsub_suppression_list", in.UnsubSuppressionList, &asm.UnsubSuppressionList},
		{"bounce_suppression_list", in.BounceSuppressionList, &asm.BounceSuppressionList},
		{"scomp_suppression_list", in.ScompSuppressionList, &asm.ScompSuppressionList}} {
		switch {
		case f.in.Null:
			*f.dst = nil // "Set to null to use none."
		case f.in.Set:
			v, ok, err := suppressionLists.resolve(ctx, q, "auto_subscriber_management."+f.name, f.in.V, p)
			if err != nil {
				return err
			}
			if ok {
				*f.dst = &v
			}
		}
	}
	return nil
}
