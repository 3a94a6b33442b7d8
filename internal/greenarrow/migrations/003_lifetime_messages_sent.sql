-- lifetime_messages_sent is every message the organization sent, as its
-- messages-sent reports count them: the fixture history and every simulated
-- send, in every quota mode. A trigger keeps it in the transaction of each
-- send, so no read sums the history, and nothing else writes it: no mode
-- switch or credit adjustment resets it. A send is only ever deleted with its
-- organization (or by a reset), so nothing needs to subtract.
CREATE TRIGGER ga_sends_counted AFTER INSERT ON ga_sends BEGIN
    UPDATE ga_organizations SET lifetime_messages_sent = lifetime_messages_sent + NEW.messages
    WHERE id = NEW.organization_id;
END;

-- Databases made before counted simulated sends only, and restarted the count
-- at each switch into fixed_credits.
UPDATE ga_organizations SET lifetime_messages_sent =
    (SELECT coalesce(sum(messages), 0) FROM ga_sends WHERE organization_id = ga_organizations.id);
