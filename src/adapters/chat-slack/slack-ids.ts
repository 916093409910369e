/** Ids shared with manifest.yml and with tests: change them together. */
export const SLASH_COMMAND = "/snapshot";
export const ACTION_APPROVE = "request_approve";
export const ACTION_REJECT = "request_reject";
/** The reject-reason modal (opened by Reject). */
export const VIEW_REJECT_REASON = "reject_reason";
/** The global shortcut "Replicate a snapshot" (manifest.yml) and the modal it opens. */
export const SHORTCUT_REPLICATE = "replicate_snapshot";
export const VIEW_REPLICATE = "replicate_snapshot_modal";
/** Re-check on a failed-check message: runs the prerequisite checks again and says what changed. */
export const ACTION_RECHECK = "prerequisites_recheck";
/** "Ask again" on a failed request's thread: a new request with the same inputs, through the same path. */
export const ACTION_ASK_AGAIN = "request_ask_again";
