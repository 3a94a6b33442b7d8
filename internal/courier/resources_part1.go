package courier

// part1Resources is the table of the part-1 families: organizations, users,
// individuals, individual groups, messaging, communication, announcers, app
// credentials, badge counts, multicasts, org preferences and user
// notifications. Behaviour lives in the named hooks of hooks_*.go.
func part1Resources() []*Resource {
	return []*Resource{
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
			Params: map[string]ParamHook{
				"filter[individual-id]": matchAttr("primary-individual-id"),
				"filter[email]":         matchLower("email"),
			},
			BeforeModify: modifyUser,
		},
		{
			Type: "individuals", Path: "/v1/individuals/",
			Get: "individuals.get",
			Actions: []Action{
				{Op: "individuals.multicast", OnItem: true, Handler: individualMulticast},
				{Op: "individuals.recalculate-communication-summary", OnItem: true, Handler: recalculateSummary},
			},
		},
		{
			Type: "individual-groups", Path: "/v1/individual-groups/",
			Get:    "individual-groups.get",
			Render: renderIndividualGroup,
		},
		{
			Type: "messaging-channels", Path: "/v1/messaging-channels/",
			List: "messaging-channels.list", Create: "messaging-channels.create",
			Get: "messaging-channels.get", Modify: "messaging-channels.modify",
			OrgAttr:  "organization-id",
			Text:     []string{"name", "label"},
			Writable: []string{"name", "label", "floating", "event-settings", "subscription-type", "individual-group-id"},
			Params: map[string]ParamHook{
				"individual-id":  channelParticipant,
				"participant-id": channelParticipant,
			},
			BeforeCreate: createChannel,
			AfterCreate:  subscribeCreated,
			BeforeModify: modifyChannel,
			Render:       renderChannel,
			Actions: []Action{
				{Op: "messaging-channels.archive", OnItem: true, Handler: setChannelArchived(true)},
				{Op: "messaging-channels.unarchive", OnItem: true, Handler: setChannelArchived(false)},
				{Op: "messaging-channels.get-profile", OnItem: true, Handler: channelProfile},
				{Op: "messaging-channels.preferences", OnItem: true, Handler: channelPreferences,
					Alts: []string{"PUT /v1/messaging-channels/{id}/preferences/", "PATCH /v1/messaging-channels/{id}/preferences/"}},
				{Op: "messaging-channels.sms", OnItem: true, Handler: channelSMS,
					Alts: []string{"POST /v1/messaging-channels/{id}/sms-path/"}},
				{Op: "messaging-channels.add-subscribers", OnItem: true, Handler: addSubscribers,
					Alts: []string{"POST /v1/messaging-channels/{id}/subscribe/"}},
				{Op: "messaging-channels.remove-subscribers", OnItem: true, Handler: removeSubscribers,
					Alts: []string{"POST /v1/messaging-channels/{id}/unsubscribers/", "DELETE /v1/messaging-channels/{id}/subscribers/"}},
			},
		},
		{
			// communication-messages lists channels with the inbox's filters and sorts.
			Type: "messaging-channels", Path: "/v1/communication-messages/",
			List: "communication-messages.list",
			Params: map[string]ParamHook{
				"individual-id":      channelParticipant,
				"filter[type]":       channelKind,
				"filter[bookmarked]": channelBookmarked,
			},
			Sort: map[string]string{
				"last-timestamp": jsonAttr("last-modified-time"),
				"ack-timestamp":  `(SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = cr_resources.id)`,
				"unread-count":   `(SELECT count(*) FROM cr_resources m WHERE m.type = 'messaging-messages' AND m.parent_id = cr_resources.id)`,
			},
		},
		{
			Type: "messaging-messages", Path: "/v1/messaging-messages/",
			List: "messaging-messages.list", Create: "messaging-messages.create",
			Get: "messaging-messages.get", Modify: "messaging-messages.modify",
			Parent:   &Parent{Attr: "channel-id", Type: "messaging-channels"},
			Text:     []string{"message"},
			Required: []string{"channel-id"},
			Params: map[string]ParamHook{
				"individual-id": viewerParam,
				"acknowledged":  messagesAcknowledged,
			},
			BeforeCreate: createMessage,
			AfterCreate:  afterMessage,
			BeforeModify: modifyMessage,
			Render:       renderMessage,
			Actions: []Action{
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
