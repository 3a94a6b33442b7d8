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
	b = append(b, `{"admin":`...)
	b = strconv.AppendBool(b, v.Admin)
	b = append(b, `,"auto-sign-up":`...)
	b = strconv.AppendBool(b, v.AutoSignUp)
	b = append(b, `,"birth-date":`...)
	b = appendOptString(b, v.BirthDate)
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
	b = append(b, `,"email":`...)
	b = appendOptString(b, v.Email)
	b = append(b, `,"email-verified":`...)
	b = strconv.AppendBool(b, v.EmailVerified)
	b = append(b, `,"first-name":`...)
	b = appendString(b, v.FirstName)
	b = append(b, `,"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"last-name":`...)
	b = appendString(b, v.LastName)
	b = append(b, `,"phone-number":`...)
	b = appendOptString(b, v.PhoneNumber)
	b = append(b, `,"phone-number-unsubscribed":`...)
	b = strconv.AppendBool(b, v.PhoneNumberUnsubscribed)
	b = append(b, `,"phone-number-verified":`...)
	b = strconv.AppendBool(b, v.PhoneNumberVerified)
	b = append(b, `,"pinned":`...)
	b = strconv.AppendBool(b, v.Pinned)
	return append(b, '}')
}

func (v lastMessageView) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"message":`...)
	b = appendString(b, v.Message)
	b = append(b, `,"posted-time":`...)
	b = appendOptString(b, v.PostedTime)
	b = append(b, `,"removed":`...)
	b = strconv.AppendBool(b, v.Removed)
	return append(b, '}')
}

func (v bookmarkView) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"message-id":`...)
	b = appendString(b, v.MessageID)
	return append(b, '}')
}

func (v *groupView) AppendJSON(b []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"individual-ids":`...)
	b = appendStrings(b, v.IndividualIDs)
	b = append(b, `,"individuals":`...)
	b = appendList(b, v.Individuals)
	b = append(b, `,"individuals-count":`...)
	b = strconv.AppendInt(b, int64(v.IndividualsCount), 10)
	b = append(b, `,"leader-ids":`...)
	b = appendStrings(b, v.LeaderIDs)
	b = append(b, `,"leaders":`...)
	b = appendList(b, v.Leaders)
	b = append(b, `,"name":`...)
	b = appendString(b, v.Name)
	b = append(b, `,"organization-id":`...)
	b = appendString(b, v.OrganizationID)
	return append(b, '}')
}

func (v groupIndividual) AppendJSON(b []byte) []byte {
	b = append(b, `{"birth-date":`...)
	b = appendOptString(b, v.BirthDate)
	b = append(b, `,"first-name":`...)
	b = appendString(b, v.FirstName)
	b = append(b, `,"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"last-name":`...)
	b = appendString(b, v.LastName)
	b = append(b, `,"name":`...)
	b = appendString(b, v.Name)
	b = append(b, `,"owner":{"id":`...)
	b = appendString(b, v.Owner.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, v.Owner.Type)
	b = append(b, `},"preferred-name":`...)
	b = appendOptString(b, v.PreferredName)
	b = append(b, `,"verified":`...)
	b = strconv.AppendBool(b, v.Verified)
	return append(b, '}')
}

func (v groupLeader) AppendJSON(b []byte) []byte {
	b = append(b, `{"first-name":`...)
	b = appendString(b, v.FirstName)
	b = append(b, `,"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"last-name":`...)
	b = appendString(b, v.LastName)
	return append(b, '}')
}
