import { AsyncLocalStorage } from "node:async_hooks";

/** What is known about the Slack request whose handling is running (for the process-level handlers). */
export interface SlackRequestScope {
  transport: "http" | "socket";
  kind?: string;
}

const scope = new AsyncLocalStorage<SlackRequestScope>();

/** Runs `work` (and everything it schedules) as part of handling one Slack request. */
export function inSlackRequest<T>(context: SlackRequestScope, work: () => T): T {
  return scope.run(context, work);
}

/**
 * The Slack request being handled where this is called, if any. Node runs the `uncaughtException`
 * and `unhandledRejection` handlers in the context of the code that threw, so cli.ts can tell an
 * error raised by one request's handling (log it, keep serving the others) from one anywhere else.
 */
export function currentSlackRequest(): SlackRequestScope | undefined {
  return scope.getStore();
}
