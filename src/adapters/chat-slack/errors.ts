import { CodedError } from "../../core/errors.js";

export type SlackErrorCode = "slack.no_ts";

/** Slack answered in a way the adapter cannot go on from. */
export class SlackAdapterError extends CodedError {
  constructor(code: SlackErrorCode, message: string) {
    super(code, message);
    this.name = "SlackAdapterError";
  }
}
