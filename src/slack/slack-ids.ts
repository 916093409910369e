/** Ids shared with manifest.yml and with tests: change them together. */
export const SLASH_COMMAND = "/snapshot";
export const ACTION_APPROVE = "request_approve";
export const ACTION_REJECT = "request_reject";
