-- 0003_identity_mode_guard: emails stop being unique identifiers for good
-- once a workspace switches to customId identity mode.
--
-- The switch (UpdateWorkspace) clears email_key and recomputes recognized
-- for the workspace's profiles in its own transaction, holding writes to
-- profiles back meanwhile. This trigger does the same for every later
-- profile write, so that a request that still holds the email-mode
-- Workspace it read before the switch (an API node's cache lives a few
-- seconds) cannot set an email key again. Its WHEN clause keeps the
-- function (and its look at the workspace) off the rows that cannot be
-- wrong for customId mode, and UPDATE OF keeps it off updates that do not
-- set either column (TouchProfile's last activity).

CREATE FUNCTION profiles_identity_mode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT identity_mode FROM workspaces WHERE id = NEW.workspace_id) = 'customId' THEN
        NEW.email_key := NULL;
        NEW.recognized := NEW.custom_id IS NOT NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER profiles_identity_mode
    BEFORE INSERT OR UPDATE OF email_key, recognized ON profiles
    FOR EACH ROW
    WHEN (NEW.email_key IS NOT NULL OR NEW.recognized IS DISTINCT FROM (NEW.custom_id IS NOT NULL))
    EXECUTE FUNCTION profiles_identity_mode();
