import type { Label, Message, Text } from "../core/messages/message.js";
import type { Request, RequestFailure } from "../core/request/request.js";
import { AppError } from "./errors.js";
import type { FlowDeps } from "./flow-deps.js";

/** What the queue should do after a step: stop, or come back later (without holding a worker slot). */
export type StepOutcome = { kind: "done"; state: Request["state"] } | { kind: "wait"; delayMs: number };
/** A step either hands over to the next step at once, or says what the queue should do. */
export type StepResult = { kind: "continue" } | StepOutcome;

/** What a kind reads to describe a plan or a fix: the configuration. */
export type KindConfigDeps = Pick<FlowDeps, "config">;
/** What a kind lets go of when a request ends early: the copies the poller follows. */
export type KindReleaseDeps = Pick<FlowDeps, "copyWatch">;

/** A labelled fact on a card (`Region: ap-guangzhou`). */
export interface CardField {
  label: Label;
  value: Text;
}

/** What a kind puts on its approval card; the generic card adds state, approvals, expiry and buttons. */
export interface CardContent {
  /** The card's header (plain text, perhaps in both languages). */
  title: Label;
  /** The request in one line, for notifications, `/snapshot status` and `/snapshot list`. */
  summary: Text;
  fields: CardField[];
  /** Small facts under the card (`Copy: snap-…`). */
  facts: Text[];
  /** What Approve will do, asked in the confirm dialog. */
  confirm: Text;
  /** The confirm dialog's title. @defaultValue "Approve this request?" */
  confirmTitle?: Label;
}

/**
 * A kind of request (docs/decisions/014): what it asks for, how it is checked before the card,
 * the steps it runs once approved, and how it is described. Adding a kind is one folder under
 * src/kinds/ and one line in src/kinds/registry.ts; every use case is generic over it.
 */
export interface RequestKind<Spec = unknown, Progress = unknown> {
  /** Stored in every request (`snapshot-copy`): never rename one that has requests. */
  readonly id: string;
  /** Its steps, in order: the sub-states of `running`. */
  readonly steps: readonly string[];
  /** Reads a stored spec (convert-on-read hook); throws with a message naming the field when it is not one. */
  parseSpec(spec: unknown): Spec;
  /**
   * The fingerprint of the plan an approver approves (what is written where, and how), taken when
   * the card is posted; the kind's steps check it again before any write.
   */
  fingerprintPlan(request: Request<Spec, Progress>, deps: KindConfigDeps): string;
  /**
   * Runs the current step (`request.step`; the first one when the request is still `approved`).
   * Takes every port: a kind's steps may use any of them (each step names its own).
   */
  runStep(deps: FlowDeps, request: Request<Spec, Progress>): Promise<StepResult>;
  /** The card's content. */
  describeCard(request: Request<Spec, Progress>): CardContent;
  /** A step as people say it ("copy in progress"); the request, when given, may change the words. */
  describeStep(step: string, request?: Partial<Request<Spec, Progress>>): Label;
  /**
   * The notify channel's one line when the request ends: what, where, as what name, who asked and
   * approved, how long, and the thread's link — never a fix or a policy document (the thread has those).
   */
  describeOutcome(request: Request<Spec, Progress>, threadLink?: string): Message;
  /** How to fix a failure, when the kind knows (Text in both languages, or English). */
  fixFor(
    failure: Omit<RequestFailure, "fix" | "said">,
    request: Request<Spec, Progress>,
    deps: KindConfigDeps,
  ): Text | string | undefined;
  /** Lets go of what the steps hold (a watched copy) when the request ends early. */
  release?(deps: KindReleaseDeps, request: Request<Spec, Progress>): Promise<void>;
}

/** The kinds this deployment knows, by id. */
export class KindRegistry {
  private readonly byId = new Map<string, RequestKind>();

  constructor(kinds: readonly RequestKind[]) {
    for (const kind of kinds) {
      if (this.byId.has(kind.id))
        throw new AppError("kinds.duplicate", `two request kinds are called ${kind.id}`);
      this.byId.set(kind.id, kind);
    }
  }

  /** The request's kind; throws `kinds.unknown` for a request of a kind this version does not know. */
  of(request: Pick<Request, "kind" | "id">): RequestKind {
    const kind = this.byId.get(request.kind);
    if (!kind) {
      throw new AppError(
        "kinds.unknown",
        `request ${request.id} is of kind "${request.kind}", which this version does not know`,
      );
    }
    return kind;
  }

  get(id: string): RequestKind | undefined {
    return this.byId.get(id);
  }
}
