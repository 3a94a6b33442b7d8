package courier

import (
	"slices"
	"strconv"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The people and messages a channel embeds are set on every channel a read
// answers, and encoding/json's reflection over them was about a twentieth
// of a channel's GET (profiled): each writes itself (jsonapi.JSONAppender),
// byte for byte as json.Marshal writes it (TestViewsEncodeAsEncodingJSON).

func appendString(b []byte, s string) []byte { return httpx.AppendJSONString(b, s, true) }

// appendOptString writes a nullable string.
func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendStrings writes a list of strings (null when nil).
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendList writes a list of appenders (null when nil).
func appendList[T interface{ AppendJSON([]byte) []byte }](b []byte, list []T) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.AppendJSON(b)
	}
	return append(b, ']')
}

// subscriberList is a channel's subscribers as it answers them.
type subscriberList []subscriberView

func (l subscriberList) AppendJSON(b []byte) []byte { return appendList(b, []subscriberView(l)) }

func (v subscriberView) AppendJSON(b []byte) []byte {
	b = strconv.AppendBool(append(b, `{"admin":`...), v.Admin)
	b = strconv.AppendBool(append(b, `,"auto-sign-up":`...), v.AutoSignUp)
	b = appendOptString(append(b, `,"birth-date":`...), v.BirthDate)
	b = append(b, `,"communication-preferences":`...)
	if v.CommunicationPreferences == nil {
		b = append(b, "null"...)
	} else {
		keys := make([]string, 0, len(v.CommunicationPreferences))
		for k := range v.CommunicationPreferences {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k), ':')
			b = appendString(b, v.CommunicationPreferences[k])
		}
		b = append(b, '}')
	}
	b = appendOptString(append(b, `,"email":`...), v.Email)
	b = strconv.AppendBool(append(b, `,"email-verified":`...), v.EmailVerified)
	b = appendString(append(b, `,"first-name":`...), v.FirstName)
	b = appendString(append(b, `,"id":`...), v.ID)
	b = appendString(append(b, `,"last-name":`...), v.LastName)
	b = appendOptString(append(b, `,"phone-number":`...), v.PhoneNumber)
	b = strconv.AppendBool(append(b, `,"phone-number-unsubscribed":`...), v.PhoneNumberUnsubscribed)
	b = strconv.AppendBool(append(b, `,"phone-number-verified":`...), v.PhoneNumberVerified)
	b = strconv.AppendBool(append(b, `,"pinned":`...), v.Pinned)
	return append(b, '}')
}

func (v lastMessageView) AppendJSON(b []byte) []byte {
	b = appendString(append(b, `{"id":`...), v.ID)
	b = appendString(append(b, `,"message":`...), v.Message)
	b = appendOptString(append(b, `,"posted-time":`...), v.PostedTime)
	b = strconv.AppendBool(append(b, `,"removed":`...), v.Removed)
	return append(b, '}')
}

func (v bookmarkView) AppendJSON(b []byte) []byte {
	b = appendString(append(b, `{"id":`...), v.ID)
	b = appendString(append(b, `,"message-id":`...), v.MessageID)
	return append(b, '}')
}

func (v *groupView) AppendJSON(b []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = appendStrings(append(b, `{"individual-ids":`...), v.IndividualIDs)
	b = appendList(append(b, `,"individuals":`...), v.Individuals)
	b = strconv.AppendInt(append(b, `,"individuals-count":`...), int64(v.IndividualsCount), 10)
	b = appendStrings(append(b, `,"leader-ids":`...), v.LeaderIDs)
	b = appendList(append(b, `,"leaders":`...), v.Leaders)
	b = appendString(append(b, `,"name":`...), v.Name)
	b = appendString(append(b, `,"organization-id":`...), v.OrganizationID)
	return append(b, '}')
}

func (v groupIndividual) AppendJSON(b []byte) []byte {
	b = appendOptString(append(b, `{"birth-date":`...), v.BirthDate)
	b = appendString(append(b, `,"first-name":`...), v.FirstName)
	b = appendString(append(b, `,"id":`...), v.ID)
	b = appendString(append(b, `,"last-name":`...), v.LastName)
	b = appendString(append(b, `,"name":`...), v.Name)
	b = appendString(append(b, `,"owner":{"id":`...), v.Owner.ID)
	b = appendString(append(b, `,"type":`...), v.Owner.Type)
	b = appendOptString(append(b, `},"preferred-name":`...), v.PreferredName)
	b = strconv.AppendBool(append(b, `,"verified":`...), v.Verified)
	return append(b, '}')
}

func (v groupLeader) AppendJSON(b []byte) []byte {
	b = appendString(append(b, `{"first-name":`...), v.FirstName)
	b = appendString(append(b, `,"id":`...), v.ID)
	b = appendString(append(b, `,"last-name":`...), v.LastName)
	return append(b, '}')
}
