-- 0003_identity_mode_guard: emails stop being unique identifiers for good
-- once a workspace switches to customId identity mode.
--
-- The switch (UpdateWorkspace) clears email_key and recomputes recognized
-- for the workspace's profiles in its own transaction. These triggers do
-- the same for every later profile write, so that a request that still
-- holds the email-mode Workspace it read before the switch (an API node's
-- cache lives a few seconds) cannot set an email key again. They only look
-- at the workspace when the row could be wrong for customId mode.

CREATE TRIGGER profiles_identity_mode_insert AFTER INSERT ON profiles
WHEN (NEW.email_key IS NOT NULL OR NEW.recognized <> (NEW.custom_id IS NOT NULL))
    AND (SELECT identity_mode FROM workspaces WHERE id = NEW.workspace_id) = 'customId'
BEGIN
    UPDATE profiles SET email_key = NULL, recognized = (custom_id IS NOT NULL)
    WHERE client_id = NEW.client_id;
END;

CREATE TRIGGER profiles_identity_mode_update AFTER UPDATE OF email_key, recognized ON profiles
WHEN (NEW.email_key IS NOT NULL OR NEW.recognized <> (NEW.custom_id IS NOT NULL))
    AND (SELECT identity_mode FROM workspaces WHERE id = NEW.workspace_id) = 'customId'
BEGIN
    UPDATE profiles SET email_key = NULL, recognized = (custom_id IS NOT NULL)
    WHERE client_id = NEW.client_id;
END;
