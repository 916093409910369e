import type { App } from "@slack/bolt";
import type { FlowDeps } from "../../app/flow-deps.js";
import type { AppHomePublisher } from "./app-home.publisher.js";

/**
 * `app_home_opened` on the Home tab: the person is remembered as a viewer (their Home follows their
 * requests from now on) and their Home is published, coalesced with any publish already due.
 * The Messages tab opens the same event with `tab: "messages"`: nothing to do there.
 */
export function registerAppHome(app: App, deps: FlowDeps, home: AppHomePublisher | undefined): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    if (!home) {
      deps.logger.warn({ userId: event.user }, "app home: opened, but this process publishes no Home");
      return;
    }
    await home.opened(event.user);
  });
}
