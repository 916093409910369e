import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { isRecord } from "./block-kit.js";
import type { IdFactory } from "./ids.js";
import type { ApiAnswer } from "./web-api.js";

/** What Slack puts in an envelope's `type` for the requests the emulator sends. */
export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

export interface SocketDelivery {
  /** The app's ack `payload` (`{}` for a bare ack). */
  payload: Record<string, unknown>;
  /** How many times the envelope was sent (1 unless a socket dropped before its ack). */
  deliveries: number;
}

export interface DropSocketOptions {
  /** `disconnect` message reason; ignored with `raw`. @defaultValue "refresh_requested" */
  reason?: "warning" | "refresh_requested" | "link_disabled";
  /** Close the TCP connection without a `disconnect` message or a close handshake. */
  raw?: boolean;
}

interface Pending {
  envelopeId: string;
  type: EnvelopeType;
  payload: unknown;
  retryAttempt: number;
  /** The connection it was last written to; undefined while queued. */
  sentOn: WebSocket | undefined;
  /** Drop the socket when this envelope's ack arrives (the ack is lost). */
  loseAck: boolean;
  resolve(delivery: SocketDelivery): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  deliveries: number;
}

const PING_EVERY_MS = 5_000;
/** A client that does not answer a `disconnect` with a close is cut off after this. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Slack's Socket Mode on the emulator: `apps.connections.open` (app-level token) hands out a
 * one-use `ws://…/link/?ticket=…` URL; a connection gets `hello`, then envelopes, each answered by
 * an ack `{ envelope_id, payload }`. An envelope not acked when its socket closes is sent again on
 * the next connection with `retry_attempt + 1`, as Slack does. One connection at a time (Slack
 * allows up to 10; the bot opens one).
 */
export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private socket: WebSocket | undefined;
  private connections = 0;
  private readonly pinger: NodeJS.Timeout;
  private readonly connectedListeners = new Set<() => void>();

  constructor(
    private readonly ids: IdFactory,
    private readonly appToken: string | undefined,
    private readonly baseUrl: string,
    private readonly appId: string,
    private readonly ackTimeoutMs: number,
  ) {
    this.pinger = setInterval(() => this.socket?.ping(`emulator ${Date.now()}`), PING_EVERY_MS);
    this.pinger.unref();
  }

  /** True while an app holds an open connection that was sent `hello`. */
  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** How many connections were accepted so far (a reconnect adds one). */
  get connectionCount(): number {
    return this.connections;
  }

  /** `apps.connections.open`: only the app-level token opens a connection. */
  openConnection(token: string | undefined): ApiAnswer {
    const reply = (body: Record<string, unknown>): ApiAnswer => ({
      status: 200,
      body,
      headers: {},
      injected: false,
    });
    if (token === undefined) return reply({ ok: false, error: "not_authed" });
    if (this.appToken === undefined || token !== this.appToken) {
      return reply({
        ok: false,
        error: token.startsWith("xapp-") ? "invalid_auth" : "not_allowed_token_type",
      });
    }
    const ticket = this.ids.responseId();
    this.tickets.add(ticket);
    const wsBase = this.baseUrl.replace(/^http/, "ws");
    return reply({ ok: true, url: `${wsBase}/link/?ticket=${ticket}&app_id=${this.appId}` });
  }

  /** The HTTP server's `upgrade` for `/link/`: a valid, unused ticket becomes a connection. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/link/" || !this.tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Sends one envelope and resolves with the app's ack (after any re-deliveries). */
  deliver(type: EnvelopeType, payload: unknown, opts: { retryAttempt?: number; loseAck?: boolean } = {}) {
    return new Promise<SocketDelivery>((resolve, reject) => {
      const envelopeId = randomUUID();
      const entry: Pending = {
        envelopeId,
        type,
        payload,
        retryAttempt: opts.retryAttempt ?? 0,
        sentOn: undefined,
        loseAck: opts.loseAck ?? false,
        resolve,
        reject,
        deliveries: 0,
        timer: setTimeout(() => {
          this.pending.delete(envelopeId);
          reject(
            new Error(`socket mode: envelope ${envelopeId} (${type}) not acked in ${this.ackTimeoutMs} ms`),
          );
        }, this.ackTimeoutMs),
      };
      entry.timer.unref();
      this.pending.set(envelopeId, entry);
      if (this.socket) this.send(entry, this.socket);
    });
  }

  /** Test hook: ends the current connection, with a `disconnect` message or (raw) without. */
  drop(opts: DropSocketOptions = {}): void {
    const ws = this.socket;
    if (!ws) return;
    this.detach(ws);
    if (opts.raw) {
      ws.terminate();
      return;
    }
    ws.send(
      JSON.stringify({
        type: "disconnect",
        reason: opts.reason ?? "refresh_requested",
        debug_info: { host: "emulator" },
      }),
    );
    // The client closes on `disconnect`; one that does not is cut off.
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Resolves once an app is connected (at once when it already is). */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.connectedListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.connectedListeners.delete(done);
        reject(new Error(`socket mode: no app connected within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.connectedListeners.add(done);
    });
  }

  close(): void {
    clearInterval(this.pinger);
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new Error("socket mode: the emulator closed before the ack"));
    }
    this.pending.clear();
    for (const ws of this.wss.clients) ws.terminate();
    this.socket = undefined;
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    // A newer connection replaces an older one (the bot reconnects one at a time).
    if (this.socket) this.drop({ reason: "refresh_requested" });
    this.socket = ws;
    this.connections += 1;
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.receive(ws, data.toString());
    });
    ws.on("close", () => this.detach(ws));
    ws.on("error", () => this.detach(ws));
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: 1,
        debug_info: { host: "emulator", build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    // What was queued while no app was connected, or not acked on the dropped connection.
    for (const entry of this.pending.values()) this.send(entry, ws);
    for (const listener of [...this.connectedListeners]) listener();
  }

  /** The socket is gone: its un-acked envelopes wait for the next connection, one attempt later. */
  private detach(ws: WebSocket): void {
    if (this.socket === ws) this.socket = undefined;
    for (const entry of this.pending.values()) {
      if (entry.sentOn !== ws) continue;
      entry.sentOn = undefined;
      entry.retryAttempt += 1;
    }
  }

  private send(entry: Pending, ws: WebSocket): void {
    entry.sentOn = ws;
    entry.deliveries += 1;
    ws.send(
      JSON.stringify({
        envelope_id: entry.envelopeId,
        type: entry.type,
        payload: entry.payload,
        accepts_response_payload: entry.type !== "events_api",
        retry_attempt: entry.retryAttempt,
        retry_reason: entry.retryAttempt > 0 ? "timeout" : "",
      }),
    );
  }

  private receive(ws: WebSocket, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(message) || typeof message.envelope_id !== "string") return;
    const entry = this.pending.get(message.envelope_id);
    // An ack for an envelope already acked (or on a connection it no longer belongs to) is ignored.
    if (entry === undefined || entry.sentOn !== ws) return;
    if (entry.loseAck) {
      // The ack is lost with the connection: Slack sends the envelope again on the next one.
      entry.loseAck = false;
      this.detach(ws);
      ws.terminate();
      return;
    }
    this.pending.delete(entry.envelopeId);
    clearTimeout(entry.timer);
    entry.resolve({
      payload: isRecord(message.payload) ? message.payload : {},
      deliveries: entry.deliveries,
    });
  }
}
