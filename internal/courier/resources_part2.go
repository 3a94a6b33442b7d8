package courier

import "github.com/emulator/vendor-emulator/internal/courier/jsonapi"

// part2Resources is the table of the part-2 families (texting, voice, video,
// Alexa, user and system): owned by part 2, see ENGINE.md. Behaviour lives in
// the named hooks of hooks_part2*.go.
func part2Resources() []*jsonapi.Resource {
	return append(append(append(textResources(), voiceResources()...), videoResources()...), otherPart2Resources()...)
}

// textResources: text accounts, numbers, look-ups, logs, maps and texts.
func textResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "text-accounts", Path: "/v1/text-accounts/",
			List: "text-accounts.list", Create: "text-accounts.create",
			Get: "text-accounts.get", Modify: "text-accounts.modify",
			OrgAttr:      "organization-id",
			Text:         []string{"phone-number"},
			Required:     []string{"organization-id"},
			BeforeCreate: textAccountCreate,
			BeforeModify: textAccountModify,
			Actions: []jsonapi.Action{
				{Op: "text-accounts.claim-number", OnItem: true, Handler: textClaimNumber},
			},
		},
		{
			Type: "text-account-numbers", Path: "/v1/text-account-numbers/",
			List: "text-account-numbers.list", Create: "text-account-numbers.create",
			Get: "text-account-numbers.get", Modify: "text-account-numbers.modify",
			Parent:   &jsonapi.Parent{Attr: "account-id", Type: "text-accounts"},
			Text:     []string{"phone-number", "notes"},
			Required: []string{"account-id"},
			Params: map[string]jsonapi.ParamHook{
				"phone-number":         phoneFilter("phone-number", "phone-number"),
				"filter[phone-number]": phoneFilter("filter[phone-number]", "phone-number"),
			},
			BeforeCreate: textNumberCreate,
			AfterCreate:  textNumberCreated,
			BeforeModify: textNumberModify,
			Actions: []jsonapi.Action{
				{Op: "text-account-numbers.reset-logs", OnItem: true, Handler: textResetLogs},
			},
		},
		{
			Type: "text-number-info", Path: "/v1/text-number-info/",
			List: "text-number-info.list", Create: "text-number-info.create", Get: "text-number-info.get",
			Required:     []string{"number"},
			Scope:        textInfoScope,
			Visible:      textInfoVisible,
			Params:       map[string]jsonapi.ParamHook{"number": textInfoNumberParam},
			BeforeCreate: textInfoCreate,
		},
		{
			Type: "text-number-logs", Path: "/v1/text-number-logs/",
			List:   "text-number-logs.list",
			Parent: &jsonapi.Parent{Attr: "number-id", Type: "text-account-numbers"},
			Text:   []string{"log"},
		},
		{
			// Receive logs have Twilio ids (SM...), not UUIDs: the get is an
			// action that reads the id as it is. The catalog's alternative
			// path (under text-number-logs) answers the same.
			Type: "text-receive-logs", Path: "/v1/text-receive-logs/",
			Actions: []jsonapi.Action{
				{Op: "text-receive-logs.get", Handler: textReceiveLog, Alts: []string{"GET /v1/text-number-logs/{id}/"}},
			},
		},
		{
			Type: "text-user-number-maps", Path: "/v1/text-user-number-maps/",
			List: "text-user-number-maps.list", Create: "text-user-number-maps.create", Get: "text-user-number-maps.get",
			OrgAttr:      "organization-id",
			Required:     []string{"number-id", "organization-id", "user-id"},
			Params:       map[string]jsonapi.ParamHook{"filter[organization-id]": orgFilter("organization-id")},
			BeforeCreate: textMapCreate,
		},
		{
			Type: "texts", Path: "/v1/texts/",
			List: "texts.list", Create: "texts.create", Get: "texts.get",
			Parent:       &jsonapi.Parent{Attr: "account-id", Type: "text-accounts"},
			OrgAttr:      "organization-id",
			Text:         []string{"message", "target"},
			Required:     []string{"account-id", "message", "target"},
			Params:       map[string]jsonapi.ParamHook{"filter[target]": phoneFilter("filter[target]", "target")},
			BeforeCreate: textCreate,
			Actions: []jsonapi.Action{
				{Op: "texts.callback", OnItem: true, FreeForm: true, Handler: textCallback},
			},
		},
	}
}

// voiceResources: voice settings and their queue, tasks, conferences, dial
// logs, recordings, surveys and text-to-speech.
func voiceResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "voice-settings", Path: "/v1/voice-settings/",
			List: "voice-settings.list", Create: "voice-settings.create",
			Get: "voice-settings.get", Modify: "voice-settings.modify",
			Parent:       &jsonapi.Parent{Attr: "account-id", Type: "text-accounts"},
			Required:     []string{"account-id"},
			BeforeCreate: voiceSettingCreate,
			BeforeModify: voiceSettingModify,
			Actions: []jsonapi.Action{
				{Op: "voice-settings.run-task", OnItem: true, Handler: voiceRunTask},
				// The IVR of a setting: Twilio's voice webhook.
				{Op: "voice-ivrs.twiml", OnItem: true, FreeForm: true, Handler: voiceIVR},
			},
		},
		{
			Type: "voice-tasks", Path: "/v1/voice-tasks/",
			Get: "voice-tasks.get",
		},
		{
			Type: "voice-queue-agents", Path: "/v1/voice-queue-agents/",
			List: "voice-queue-agents.list", Create: "voice-queue-agents.create", Get: "voice-queue-agents.get",
			Parent:       &jsonapi.Parent{Attr: "setting-id", Type: "voice-settings"},
			Required:     []string{"setting-id", "individual-id"},
			BeforeCreate: voiceAgentCreate,
		},
		{
			Type: "voice-queue-entries", Path: "/v1/voice-queue-entries/",
			List: "voice-queue-entries.list", Get: "voice-queue-entries.get",
			Parent: &jsonapi.Parent{Attr: "setting-id", Type: "voice-settings"},
		},
		{
			Type: "voice-recordings", Path: "/v1/voice-recordings/",
			List: "voice-recordings.list", Get: "voice-recordings.get",
			OrgAttr: "organization-id",
			Text:    []string{"transcription"},
			Params:  map[string]jsonapi.ParamHook{"filter[states]": statesFilter("filter[states]", "state")},
		},
		{
			Type: "voice-conferences", Path: "/v1/voice-conferences/",
			List: "voice-conferences.list", Create: "voice-conferences.create", Get: "voice-conferences.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "individual-id"},
			Params:       map[string]jsonapi.ParamHook{"filter[states]": statesFilter("filter[states]", "state")},
			BeforeCreate: voiceConferenceCreate,
			AfterCreate:  voiceConferenceDial,
			Actions: []jsonapi.Action{
				{Op: "voice-conferences.get-credentials", OnItem: true, Handler: voiceConferenceCredentials},
			},
		},
		{
			Type: "voice-dial-logs", Path: "/v1/voice-dial-logs/",
			List: "voice-dial-logs.list", Get: "voice-dial-logs.get",
			OrgAttr: "organization-id",
		},
		{
			Type: "voice-surveys", Path: "/v1/voice-surveys/",
			List: "voice-surveys.list", Create: "voice-surveys.create", Get: "voice-surveys.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "individual-id", "spec"},
			Params:       map[string]jsonapi.ParamHook{"filter[states]": statesFilter("filter[states]", "state")},
			BeforeCreate: voiceSurveyCreate,
		},
		{
			Type: "tts-synthesizers", Path: "/v1/tts-synthesizers/",
			Create:       "tts-synthesizers.create",
			Required:     []string{"text"},
			BeforeCreate: ttsCreate,
		},
	}
}

// videoResources: video channels, participants and compositions.
func videoResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "video-channels", Path: "/v1/video-channels/",
			List: "video-channels.list", Create: "video-channels.create",
			Get: "video-channels.get", Modify: "video-channels.modify",
			OrgAttr:  "organization-id",
			Text:     []string{"note"},
			Required: []string{"organization-id", "participants"},
			Params: map[string]jsonapi.ParamHook{
				"individual-id":  videoParticipantParam,
				"filter[states]": statesFilter("filter[states]", "channel-state"),
			},
			BeforeCreate: videoCreate,
			AfterCreate:  videoInvite,
			BeforeModify: videoModify,
			Render:       videoRender,
			Actions: []jsonapi.Action{
				{Op: "video-channels.finalize-encounter", OnItem: true, Handler: videoFinalize},
				{Op: "video-channels.finalize-encounter-v2", OnItem: true, Handler: videoFinalize},
				{Op: "video-channels.get-credentials", OnItem: true, Handler: videoGetCredentials},
				{Op: "video-channels.participant-audio-states", OnItem: true, Handler: videoAudioStates},
				{Op: "video-channels.reminder-timer", OnItem: true, Handler: videoReminderTimer},
				{Op: "video-channels.terminate", OnItem: true, Handler: videoTerminate},
			},
		},
		{
			Type: "video-participants", Path: "/v1/video-participants/",
			List: "video-participants.list", Get: "video-participants.get", Modify: "video-participants.modify",
			Parent:       &jsonapi.Parent{Attr: "video-channel-id", Type: "video-channels"},
			Params:       map[string]jsonapi.ParamHook{"individual-id": acceptParam},
			BeforeModify: videoParticipantModify,
		},
		{
			Type: "video-compositions", Path: "/v1/video-compositions/",
			List: "video-compositions.list", Get: "video-compositions.get",
			Parent: &jsonapi.Parent{Attr: "video-channel-id", Type: "video-channels"},
		},
	}
}

// otherPart2Resources: Alexa, user and system families.
func otherPart2Resources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "ask-entries", Path: "/v1/ask-entries/",
			// The catalog's alternative (PUT) is served too.
			Actions: []jsonapi.Action{{Op: "ask-entries.create", FreeForm: true, Handler: askEntry, Alts: []string{"PUT /v1/ask-entries/"}}},
		},
		{
			Type: "ask-reminders", Path: "/v1/ask-reminders/",
			List: "ask-reminders.list", Create: "ask-reminders.create",
			Get: "ask-reminders.get", Modify: "ask-reminders.modify",
			Parent:       &jsonapi.Parent{Attr: "individual-id", Type: "individuals"},
			Text:         []string{"name", "reminder-content"},
			Required:     []string{"individual-id", "reminder-content", "reminder-time-local"},
			BeforeCreate: askReminderCreate,
			BeforeModify: askReminderModify,
		},
		{
			Type: "ask-subscriptions", Path: "/v1/ask-subscriptions/",
			List: "ask-subscriptions.list", Get: "ask-subscriptions.get",
			OrgAttr: "organization-id",
			Actions: []jsonapi.Action{{Op: "ask-subscriptions.send", OnItem: true, Handler: askSend}},
		},
		{
			Type: "user-consents", Path: "/v1/user-consents/",
			List: "user-consents.list", Create: "user-consents.create", Get: "user-consents.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "user-id"},
			Params:       map[string]jsonapi.ParamHook{"filter[organization-id]": orgFilter("organization-id")},
			BeforeCreate: userConsentCreate,
		},
		{
			Type: "user-devices", Path: "/v1/user-devices/",
			List: "user-devices.list", Create: "user-devices.create",
			Text:         []string{"model", "app-name"},
			Required:     []string{"token", "type"},
			Scope:        userDeviceScope,
			Visible:      userDeviceVisible,
			BeforeCreate: userDeviceCreate,
			Actions:      []jsonapi.Action{{Op: "user-devices.get-logs", OnItem: true, Handler: userDeviceLogs}},
		},
		{
			Type: "user-emails", Path: "/v1/user-emails/",
			List: "user-emails.list", Create: "user-emails.create", Get: "user-emails.get",
			Parent:       &jsonapi.Parent{Attr: "individual-id", Type: "individuals"},
			Text:         []string{"subject", "message"},
			Required:     []string{"individual-id", "subject"},
			BeforeCreate: userEmailCreate,
			Actions:      []jsonapi.Action{{Op: "user-emails.send", OnItem: true, Handler: userEmailSend}},
		},
		{
			Type: "user-email-attachments", Path: "/v1/user-email-attachments/",
			List: "user-email-attachments.list", Create: "user-email-attachments.create", Get: "user-email-attachments.get",
			Parent:       &jsonapi.Parent{Attr: "email-id", Type: "user-emails"},
			Text:         []string{"filename"},
			Required:     []string{"email-id", "filename", "content-type"},
			BeforeCreate: userAttachmentCreate,
			CreateAnswer: userAttachmentTicket,
			Render:       userAttachmentRender,
			Actions: []jsonapi.Action{
				{Op: "user-email-attachments.process-upload", OnItem: true, Handler: userAttachmentUploaded},
			},
		},
		{
			// The create takes a plain body and answers a task: an action.
			Type: "user-multicasts", Path: "/v1/user-multicasts/",
			List:    "user-multicasts.list",
			Parent:  &jsonapi.Parent{Attr: "individual-id", Type: "individuals"},
			Actions: []jsonapi.Action{{Op: "user-multicasts.create", Handler: userMulticastCreate}},
		},
		{
			// users' list, get and modify are part 1's (the first users entry).
			Type: "users", Path: "/v1/users/",
			Actions: []jsonapi.Action{
				{Op: "users.multicast", OnItem: true, Handler: userMulticast},
				{Op: "users.validate-multicast-params", OnItem: true, Handler: userValidateMulticast},
			},
		},
		{
			Type: "aggregation-requests", Path: "/v1/aggregation-requests/",
			Create:       "aggregation-requests.create",
			Required:     []string{"entries"},
			BeforeCreate: aggregationCreate,
		},
		{
			Type: "system-purges", Path: "/v1/purge-data/",
			Create:       "purge-data.create",
			Required:     []string{"entity-type", "entity-id"},
			BeforeCreate: purgeData,
			CreateAnswer: purgeAnswer,
		},
		{
			Type: "replicators", Path: "/v1/replicators/",
			List: "replicators.list", Get: "replicators.get",
			Scope:   replicatorScope,
			Visible: replicatorVisible,
		},
		{
			Type: "sniffers", Path: "/v1/sniffers/",
			Create: "sniffers.create", Get: "sniffers.get",
			Required:     []string{"user-id"},
			BeforeCreate: snifferCreate,
			Actions:      []jsonapi.Action{{Op: "sniffers.get-logs", OnItem: true, Handler: snifferLogs}},
		},
	}
}
