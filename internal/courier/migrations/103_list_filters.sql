-- The indexes of courier's list filters (and of the look-ups hooks make by
-- attribute): one per documented filter, on the very expression the list
-- handler writes (jsonapi.JSONAttr, lower() for UUIDs), after the list's
-- scope (org_id, or parent_id for a parent's children) and before its order
-- (created_at, id), limited to the type, so that a filtered list seeks its
-- rows in order and counts only those. TestListQueryPlans fails a filter
-- that no index serves.


-- Notifications: announcers, app credentials, badge counts, multicasts, organization preferences.
CREATE INDEX cr_announcers_name ON cr_resources (org_id, json_extract(attrs, '$."name"'), created_at, id)
    WHERE type = 'announcers';
CREATE INDEX cr_app_credentials_archived ON cr_resources (org_id, json_extract(attrs, '$."archived"'), created_at, id)
    WHERE type = 'app-credentials';
CREATE INDEX cr_app_credentials_app_name ON cr_resources (org_id, json_extract(attrs, '$."app-name"'), json_extract(attrs, '$."archived"'), created_at, id)
    WHERE type = 'app-credentials';
CREATE INDEX cr_app_credentials_type ON cr_resources (org_id, json_extract(attrs, '$."type"'), json_extract(attrs, '$."archived"'), created_at, id)
    WHERE type = 'app-credentials';
CREATE INDEX cr_badge_counts_individual ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-id"')), created_at, id)
    WHERE type = 'badge-counts';
CREATE INDEX cr_badge_counts_replaced ON cr_resources (org_id, json_extract(attrs, '$."individual-id"'), json_extract(attrs, '$."type"'))
    WHERE type = 'badge-counts';
CREATE INDEX cr_multicasts_group ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-group-id"')), created_at, id)
    WHERE type = 'multicasts';
CREATE INDEX cr_multicasts_template ON cr_resources (org_id, json_extract(attrs, '$."template-id"'), created_at, id)
    WHERE type = 'multicasts';
CREATE INDEX cr_org_preferences_name ON cr_resources (org_id, json_extract(attrs, '$."name"'), created_at, id)
    WHERE type = 'org-preferences';

-- Messaging: attachments, bulk messages, messages, operations, plugins, responders.
CREATE INDEX cr_attachments_uploaded ON cr_resources (parent_id, json_extract(attrs, '$."_uploaded"'), created_at, id)
    WHERE type = 'messaging-attachments';
CREATE INDEX cr_bulk_attachments_uploaded ON cr_resources (parent_id, json_extract(attrs, '$."_uploaded"'), created_at, id)
    WHERE type = 'messaging-bulk-attachments';
CREATE INDEX cr_bulk_messages_unposted ON cr_resources (org_id, (json_extract(attrs, '$."posted-time"') IS NULL), created_at, id)
    WHERE type = 'messaging-bulk-messages';
CREATE INDEX cr_bulk_messages_created_by ON cr_resources (org_id, lower(json_extract(attrs, '$."created-by"')), created_at, id)
    WHERE type = 'messaging-bulk-messages';
CREATE INDEX cr_messages_user ON cr_resources (parent_id, lower(json_extract(attrs, '$."user-id"')), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_modified ON cr_resources (parent_id, json_extract(attrs, '$."last-modified-time"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_operations_type ON cr_resources (org_id, json_extract(attrs, '$."type"'), created_at, id)
    WHERE type = 'messaging-operations';
CREATE INDEX cr_plugins_name ON cr_resources (org_id, json_extract(attrs, '$."name"'), created_at, id)
    WHERE type = 'messaging-plugins';
CREATE INDEX cr_plugins_type ON cr_resources (org_id, json_extract(attrs, '$."type"'), created_at, id)
    WHERE type = 'messaging-plugins';
CREATE INDEX cr_responders_enabled ON cr_resources (org_id, json_extract(attrs, '$."enabled"'), created_at, id)
    WHERE type = 'messaging-responders';
CREATE INDEX cr_responders_group ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-group-id"')), created_at, id)
    WHERE type = 'messaging-responders';
CREATE INDEX cr_responders_start_at ON cr_resources (org_id, json_extract(attrs, '$."start-at"'), created_at, id)
    WHERE type = 'messaging-responders';
CREATE INDEX cr_responders_start_at_desc ON cr_resources (org_id, json_extract(attrs, '$."start-at"') DESC, created_at, id)
    WHERE type = 'messaging-responders';
CREATE INDEX cr_responders_end_at ON cr_resources (org_id, json_extract(attrs, '$."end-at"'), created_at, id)
    WHERE type = 'messaging-responders';
CREATE INDEX cr_responders_end_at_desc ON cr_resources (org_id, json_extract(attrs, '$."end-at"') DESC, created_at, id)
    WHERE type = 'messaging-responders';
CREATE INDEX cr_responders_created_desc ON cr_resources (org_id, created_at DESC, id)
    WHERE type = 'messaging-responders';

-- Texting: numbers, look-ups, user-number maps, texts.
CREATE INDEX cr_text_numbers_phone ON cr_resources (json_extract(attrs, '$."phone-number"'), org_id, created_at, id)
    WHERE type = 'text-account-numbers';
CREATE INDEX cr_text_number_info_number ON cr_resources (json_extract(attrs, '$."number"'), created_at, id)
    WHERE type = 'text-number-info';
CREATE INDEX cr_text_maps_number ON cr_resources (org_id, lower(json_extract(attrs, '$."number-id"')), created_at, id)
    WHERE type = 'text-user-number-maps';
CREATE INDEX cr_text_maps_organization ON cr_resources (org_id, lower(json_extract(attrs, '$."organization-id"')), created_at, id)
    WHERE type = 'text-user-number-maps';
CREATE INDEX cr_text_maps_user ON cr_resources (org_id, lower(json_extract(attrs, '$."user-id"')), created_at, id)
    WHERE type = 'text-user-number-maps';
CREATE INDEX cr_text_maps_pair ON cr_resources (json_extract(attrs, '$."number-id"'), json_extract(attrs, '$."user-id"'))
    WHERE type = 'text-user-number-maps';
CREATE INDEX cr_texts_number ON cr_resources (parent_id, lower(json_extract(attrs, '$."number-id"')), created_at, id)
    WHERE type = 'texts';
CREATE INDEX cr_texts_target ON cr_resources (parent_id, json_extract(attrs, '$."target"'), created_at, id)
    WHERE type = 'texts';

-- Users: consents, devices, users, sniffers.
CREATE INDEX cr_consents_organization ON cr_resources (org_id, lower(json_extract(attrs, '$."organization-id"')), created_at, id)
    WHERE type = 'user-consents';
CREATE INDEX cr_consents_user ON cr_resources (org_id, lower(json_extract(attrs, '$."user-id"')), created_at, id)
    WHERE type = 'user-consents';
CREATE INDEX cr_consents_target ON cr_resources (org_id, json_extract(attrs, '$."target-id"'))
    WHERE type = 'user-consents';
CREATE INDEX cr_devices_user ON cr_resources (json_extract(attrs, '$."_user-id"'), created_at, id)
    WHERE type = 'user-devices';
CREATE INDEX cr_devices_token ON cr_resources (json_extract(attrs, '$."token"'), json_extract(attrs, '$."_user-id"'), created_at, id)
    WHERE type = 'user-devices';
CREATE INDEX cr_users_individual ON cr_resources (json_extract(attrs, '$."primary-individual-id"'))
    WHERE type = 'users';
CREATE INDEX cr_users_individual_lower ON cr_resources (lower(json_extract(attrs, '$."primary-individual-id"')), created_at, id)
    WHERE type = 'users';
CREATE INDEX cr_users_email ON cr_resources (lower(json_extract(attrs, '$."email"')), created_at, id)
    WHERE type = 'users';
CREATE INDEX cr_users_username ON cr_resources (json_extract(attrs, '$."username"'), created_at, id)
    WHERE type = 'users';
CREATE INDEX cr_sniffers_user ON cr_resources (json_extract(attrs, '$."user-id"'), json_extract(attrs, '$."valid-until"'))
    WHERE type = 'sniffers';

-- Voice and video: conferences, dial logs, recordings, surveys, video channels.
CREATE INDEX cr_conferences_individual ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-id"')), created_at, id)
    WHERE type = 'voice-conferences';
CREATE INDEX cr_conferences_state ON cr_resources (org_id, json_extract(attrs, '$."state"'), created_at, id)
    WHERE type = 'voice-conferences';
CREATE INDEX cr_dial_logs_conference ON cr_resources (org_id, lower(json_extract(attrs, '$."conference-id"')), created_at, id)
    WHERE type = 'voice-dial-logs';
CREATE INDEX cr_dial_logs_individual ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-id"')), created_at, id)
    WHERE type = 'voice-dial-logs';
CREATE INDEX cr_recordings_individual ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-id"')), created_at, id)
    WHERE type = 'voice-recordings';
CREATE INDEX cr_recordings_setting ON cr_resources (org_id, lower(json_extract(attrs, '$."setting-id"')), created_at, id)
    WHERE type = 'voice-recordings';
CREATE INDEX cr_recordings_state ON cr_resources (org_id, json_extract(attrs, '$."state"'), created_at, id)
    WHERE type = 'voice-recordings';
CREATE INDEX cr_surveys_individual ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-id"')), created_at, id)
    WHERE type = 'voice-surveys';
CREATE INDEX cr_surveys_state ON cr_resources (org_id, json_extract(attrs, '$."state"'), created_at, id)
    WHERE type = 'voice-surveys';
CREATE INDEX cr_video_channels_state ON cr_resources (org_id, json_extract(attrs, '$."channel-state"'), created_at, id)
    WHERE type = 'video-channels';
CREATE INDEX cr_video_participants_individual ON cr_resources (lower(json_extract(attrs, '$."individual-id"')), parent_id)
    WHERE type = 'video-participants';

-- Alexa: subscriptions.
CREATE INDEX cr_ask_subscriptions_skill ON cr_resources (org_id, lower(json_extract(attrs, '$."skill-id"')), created_at, id)
    WHERE type = 'ask-subscriptions';
CREATE INDEX cr_ask_subscriptions_user ON cr_resources (org_id, lower(json_extract(attrs, '$."user-id"')), created_at, id)
    WHERE type = 'ask-subscriptions';
CREATE INDEX cr_ask_subscriptions_user_exact ON cr_resources (org_id, json_extract(attrs, '$."user-id"'))
    WHERE type = 'ask-subscriptions';
CREATE INDEX cr_ask_subscriptions_alexa_user ON cr_resources (json_extract(attrs, '$."alexa-user-id"'), created_at, id)
    WHERE type = 'ask-subscriptions';

-- What the planner assumes of them (see the engine's 003_planner_statistics.sql):
-- a filter leaves a small share of its organization's or parent's rows.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_resources', 'cr_announcers_name', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_app_credentials_archived', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_app_credentials_app_name', '20000 2000 20 10 1 1'),
    ('cr_resources', 'cr_app_credentials_type', '20000 2000 20 10 1 1'),
    ('cr_resources', 'cr_badge_counts_individual', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_badge_counts_replaced', '20000 2000 20 10'),
    ('cr_resources', 'cr_multicasts_group', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_multicasts_template', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_org_preferences_name', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_attachments_uploaded', '20000 100 50 1 1'),
    ('cr_resources', 'cr_bulk_attachments_uploaded', '20000 100 50 1 1'),
    ('cr_resources', 'cr_bulk_messages_unposted', '20000 2000 200 1 1'),
    ('cr_resources', 'cr_bulk_messages_created_by', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_messages_user', '100000 100 10 1 1'),
    ('cr_resources', 'cr_messages_modified', '100000 100 1 1 1'),
    ('cr_resources', 'cr_operations_type', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_plugins_name', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_plugins_type', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_responders_enabled', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_responders_group', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_responders_start_at', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_responders_start_at_desc', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_responders_end_at', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_responders_end_at_desc', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_responders_created_desc', '20000 2000 1 1'),
    ('cr_resources', 'cr_text_numbers_phone', '20000 2 1 1 1'),
    ('cr_resources', 'cr_text_number_info_number', '20000 2 1 1'),
    ('cr_resources', 'cr_text_maps_number', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_text_maps_organization', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_text_maps_user', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_text_maps_pair', '20000 20 1'),
    ('cr_resources', 'cr_texts_number', '20000 100 10 1 1'),
    ('cr_resources', 'cr_texts_target', '20000 100 10 1 1'),
    ('cr_resources', 'cr_consents_organization', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_consents_user', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_consents_target', '20000 2000 5'),
    ('cr_resources', 'cr_devices_user', '20000 5 1 1'),
    ('cr_resources', 'cr_devices_token', '20000 2 1 1 1'),
    ('cr_resources', 'cr_users_individual', '20000 1'),
    ('cr_resources', 'cr_users_individual_lower', '20000 1 1 1'),
    ('cr_resources', 'cr_users_email', '20000 1 1 1'),
    ('cr_resources', 'cr_users_username', '20000 1 1 1'),
    ('cr_resources', 'cr_sniffers_user', '20000 5 1'),
    ('cr_resources', 'cr_conferences_individual', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_conferences_state', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_dial_logs_conference', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_dial_logs_individual', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_recordings_individual', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_recordings_setting', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_recordings_state', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_surveys_individual', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_surveys_state', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_video_channels_state', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_video_participants_individual', '20000 5 1'),
    ('cr_resources', 'cr_ask_subscriptions_skill', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_ask_subscriptions_user', '20000 2000 20 1 1'),
    ('cr_resources', 'cr_ask_subscriptions_user_exact', '20000 2000 2'),
    ('cr_resources', 'cr_ask_subscriptions_alexa_user', '20000 2 1 1');
ANALYZE sqlite_schema;

