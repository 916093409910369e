import type {
  ApprovalResult,
  RequestStore,
  Transition,
  TransitionResult,
} from "../core/ports/request-store.port.js";
import type { Request } from "../core/request/request.js";
import { DelegatingRequestStore } from "./delegating-request-store.js";
import type { BotMetrics } from "./metrics.js";

/**
 * Remembers when a request entered its current step, across processes (the step may end in
 * another worker than the one it started in), and hands back the previous stamp. The hash holds
 * one field per running request; leaving `running` deletes it.
 */
const STAMP_SCRIPT = `
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return prev
`;

/**
 * The request store with metrics: every change the store makes is counted as it happens
 * (`cbs_bot_request_transitions_total`), approvals time their wait, and step changes time the
 * step they leave. The flows are unchanged; nothing is read on scrape. A metrics failure never
 * fails the change it describes.
 */
export class MeteredRequestStore extends DelegatingRequestStore {
  private readonly stampKey: string;

  constructor(
    inner: RequestStore,
    private readonly metrics: BotMetrics,
    private readonly redis: { eval(script: string, numKeys: number, ...args: string[]): Promise<unknown> },
    prefix: string,
  ) {
    super(inner);
    this.stampKey = `${prefix}:metrics:step-since`;
  }

  override async create(request: Request): Promise<void> {
    await this.inner.create(request);
    this.entered(request);
  }

  override async transition(id: string, change: Transition): Promise<TransitionResult> {
    const result = await this.inner.transition(id, change);
    if (result.ok) {
      // A move from one step to the next keeps the request running: not a new state.
      if (change.from?.state !== change.to) this.entered(result.request);
      if (result.request.state === "approved") this.approved(result.request);
      this.stampStep(result.request);
    }
    return result;
  }

  override async recordApproval(
    ...args: Parameters<RequestStore["recordApproval"]>
  ): Promise<ApprovalResult> {
    const result = await this.inner.recordApproval(...args);
    if (result.kind === "approved") {
      this.entered(result.request);
      this.approved(result.request);
    }
    return result;
  }

  private entered(request: Request): void {
    this.metrics.requestTransitions.inc({ kind: request.kind, state: request.state });
  }

  private approved(request: Request): void {
    const waited = Date.parse(request.updatedAt) - Date.parse(request.createdAt);
    if (Number.isFinite(waited))
      this.metrics.approvalWait.observe({ kind: request.kind }, Math.max(0, waited) / 1000);
  }

  /** Records the new step's start and times the step just left (if this store saw it start). */
  private stampStep(request: Request): void {
    const at = Date.parse(request.updatedAt);
    if (!Number.isFinite(at)) return;
    const stamp = request.state === "running" && request.step ? `${request.step}|${at}` : "";
    void this.redis.eval(STAMP_SCRIPT, 1, this.stampKey, request.id, stamp).then(
      (prev) => {
        if (typeof prev !== "string") return;
        const cut = prev.lastIndexOf("|");
        const step = prev.slice(0, cut);
        const since = Number(prev.slice(cut + 1));
        if (cut > 0 && Number.isFinite(since))
          this.metrics.stepDuration.observe({ kind: request.kind, step }, Math.max(0, at - since) / 1000);
      },
      () => undefined,
    );
  }
}
