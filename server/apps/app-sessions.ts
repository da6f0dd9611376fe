// People's browser sessions with web tunnels' apps, on the main thread: each
// one's cookie token (only its hash is stored), its HTTP agent (its own
// connections through the tunnel, so each is recorded under its person and
// ends with the session), its open WebSockets, its counters and its access
// log. Access is checked again every few seconds and at once when Warren ends
// someone's access (lib/tunnels/recheck-live-access.ts): a session that lost
// it, or sat idle, or outlived its cookie, ends, with its summary audited.
import type { Agent } from "node:http";
import type { Duplex } from "node:stream";
import { audited, recordAudit } from "@/lib/audit/audit-log";
import { appOrigin } from "@/lib/apps/app-address";
import { randomToken, sha256 } from "@/lib/apps/app-handoff";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { accessRefusals, refusalOf } from "@/lib/tunnels/access-refusals";
import { log } from "@/lib/log";

/** A browser session lasts at most this long, and ends after this long without a request. */
export const APP_SESSION_MAX_MS = 12 * 60 * 60_000;
const IDLE_MS = 30 * 60_000;
const RECHECK_MS = 2_000;
/** Sessions an earlier run left open, and access log lines past their week, are looked for this often. */
const HOUSEKEEPING_MS = 60_000;
/** Access log lines are kept this long. */
const LOG_KEEP_MS = 7 * 24 * 60 * 60_000;

export type AppRequestLine = { method: string; path: string; status: number; bytesIn: number; bytesOut: number; ms: number; at: Date };

export type AppSession = {
  id: string;
  tokenHash: string;
  tunnelId: string;
  /** The tunnel's host, for the audit. */
  hostId: string;
  /** The app host's origin, for the audit and the identity assertion's audience. */
  app: string;
  userId: string;
  email: string;
  name: string | null;
  address: string;
  startedAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  /** Counters not yet written. */
  dirty: boolean;
  agent?: Agent;
  /** Upgraded connections (WebSockets), which outlive their request, and how each is recorded (once) when it ends. */
  sockets: Map<Duplex, () => void>;
  assertion?: { token: string; renewAt: number };
};

const SESSION_ROW = { user: true, tunnel: { select: { hostId: true, webSlug: true } } } as const;
type SessionRow = Prisma.AppSessionGetPayload<{ include: typeof SESSION_ROW }>;

function fromRow(row: SessionRow): AppSession {
  return {
    ...row,
    hostId: row.tunnel.hostId,
    app: appOrigin(row.tunnel.webSlug ?? row.tunnelId, getConfig()) ?? row.tunnelId,
    email: row.user.email,
    name: row.user.name,
    bytesIn: Number(row.bytesIn),
    bytesOut: Number(row.bytesOut),
    dirty: false,
    sockets: new Map(),
  };
}

const ctxOf = (session: AppSession): Ctx => ({ actor: { type: "user", id: session.userId, email: session.email, role: "user" }, ip: session.address });

export class AppSessions {
  private readonly byToken = new Map<string, AppSession>();
  private readonly loading = new Map<string, Promise<AppSession | undefined>>();
  private log: (AppRequestLine & { tunnelId: string; sessionId: string })[] = [];
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private housekept = 0;
  private again = false;

  constructor() {
    this.timer = setInterval(() => this.recheck(), RECHECK_MS);
    this.timer.unref();
  }

  /** The session behind a cookie's token on this app, or undefined (none, ended, expired, another app's). */
  async find(token: string | undefined, tunnelId: string): Promise<AppSession | undefined> {
    if (!token || token.length > 64) return undefined;
    const tokenHash = sha256(token);
    const live = this.byToken.get(tokenHash) ?? (await this.resume(tokenHash));
    return live?.tunnelId === tunnelId ? live : undefined;
  }

  /** A session started before Warren restarted, loaded once however many requests ask: it counts only while it is still allowed. */
  private resume(tokenHash: string): Promise<AppSession | undefined> {
    let loading = this.loading.get(tokenHash);
    if (!loading) {
      loading = (async () => {
        const row = await getPrisma().appSession.findUnique({ where: { tokenHash }, include: SESSION_ROW });
        if (!row || row.endedAt || row.expiresAt.getTime() <= Date.now()) return undefined;
        const session = fromRow(row);
        const pair = { tunnelId: session.tunnelId, userId: session.userId, purpose: "web" as const };
        const refusal = refusalOf(await accessRefusals([pair]), pair);
        if (refusal) {
          await this.end(session, refusal.message);
          return undefined;
        }
        this.remember(session);
        return session;
      })().finally(() => this.loading.delete(tokenHash));
      this.loading.set(tokenHash, loading);
    }
    return loading;
  }

  /** A new session for a person whose handoff was redeemed; answers its cookie's token. */
  async start(input: { tunnelId: string; hostId: string; app: string; userId: string; address: string; userAgent: string | null }): Promise<string> {
    const token = randomToken();
    const tokenHash = sha256(token);
    const expiresAt = new Date(Date.now() + APP_SESSION_MAX_MS);
    const prisma = getPrisma();
    const user = await prisma.user.findUniqueOrThrow({ where: { id: input.userId } });
    const ctx: Ctx = { actor: { type: "user", id: user.id, email: user.email, role: user.role }, ip: input.address, userAgent: input.userAgent };
    const { id } = await audited(ctx, async (tx) => {
      const row = await tx.appSession.create({
        data: { tokenHash, tunnelId: input.tunnelId, userId: input.userId, address: input.address, userAgent: input.userAgent?.slice(0, 512), expiresAt },
      });
      return {
        result: row,
        audit: { action: "app.session_started", hostId: input.hostId, tunnelId: input.tunnelId, details: { session: row.id, app: input.app } },
      };
    });
    const now = new Date();
    this.remember({
      dirty: false,
      sockets: new Map(),
      id,
      tokenHash,
      ...input,
      email: user.email,
      name: user.name,
      startedAt: now,
      lastSeenAt: now,
      expiresAt,
      requests: 0,
      bytesIn: 0,
      bytesOut: 0,
    });
    return token;
  }

  /** One request (or WebSocket, when it closes) through a session, for its counters and the tunnel's access log. */
  record(session: AppSession, line: AppRequestLine) {
    session.requests += 1;
    session.bytesIn += line.bytesIn;
    session.bytesOut += line.bytesOut;
    session.lastSeenAt = line.at;
    session.dirty = true;
    this.log.push({ ...line, tunnelId: session.tunnelId, sessionId: session.id });
  }

  /** Checks every live session now (and again after a round already running). */
  recheck() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((error: unknown) => log().error({ err: error }, "checking web app sessions failed"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.recheck();
        }
      });
  }

  /** Writes what is pending and lets go of every session's connections; sessions stay valid for after a restart. */
  async stop() {
    clearInterval(this.timer);
    await this.running;
    await this.flush();
    for (const session of this.byToken.values()) this.disconnect(session);
    this.byToken.clear();
  }

  private remember(session: AppSession): AppSession {
    this.byToken.set(session.tokenHash, session);
    return session;
  }

  private async round() {
    const live = [...this.byToken.values()];
    const now = Date.now();
    // No live session, nothing to ask the database every round.
    const refusals =
      live.length > 0
        ? await accessRefusals(live.map((session) => ({ tunnelId: session.tunnelId, userId: session.userId, purpose: "web" as const })))
        : new Map();
    for (const session of live) {
      const refusal = refusalOf(refusals, { tunnelId: session.tunnelId, userId: session.userId, purpose: "web" });
      const idle = now - session.lastSeenAt.getTime() > IDLE_MS && session.sockets.size === 0;
      const reason = refusal?.message ?? (session.expiresAt.getTime() <= now ? "the session's time ran out" : idle ? "idle for 30 minutes" : undefined);
      if (reason) await this.end(session, reason);
    }
    await this.flush();
    if (now - this.housekept < HOUSEKEEPING_MS) return;
    this.housekept = now;
    await this.endForgotten(now);
    await getPrisma().appRequest.deleteMany({ where: { at: { lt: new Date(now - LOG_KEEP_MS) } } });
  }

  /** Sessions left open by an earlier run (Warren restarted) and not used since: ended, so each has its summary. */
  private async endForgotten(now: number) {
    const rows = await getPrisma().appSession.findMany({
      where: {
        endedAt: null,
        tokenHash: { notIn: [...this.byToken.keys()] },
        OR: [{ expiresAt: { lte: new Date(now) } }, { lastSeenAt: { lt: new Date(now - IDLE_MS) } }],
      },
      include: SESSION_ROW,
    });
    for (const row of rows) await this.end(fromRow(row), row.expiresAt.getTime() <= now ? "the session's time ran out" : "idle for 30 minutes");
  }

  /** Ends a session: its connections are cut, its row closed and its summary audited together. */
  private async end(session: AppSession, reason: string) {
    this.byToken.delete(session.tokenHash);
    this.disconnect(session);
    const endedAt = new Date();
    const summary = {
      session: session.id,
      app: session.app,
      reason,
      startedAt: session.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      requests: session.requests,
      bytesIn: session.bytesIn,
      bytesOut: session.bytesOut,
    };
    await recordAudit(ctxOf(session), { action: "app.session_ended", hostId: session.hostId, tunnelId: session.tunnelId, details: summary }, (tx) =>
      tx.appSession.update({ where: { id: session.id }, data: { endedAt, endReason: reason, ...this.counters(session) } }),
    );
  }

  private disconnect(session: AppSession) {
    session.agent?.destroy();
    for (const [socket, recordIt] of session.sockets) {
      recordIt();
      socket.destroy();
    }
    session.sockets.clear();
  }

  private counters(session: AppSession) {
    session.dirty = false;
    return { requests: session.requests, bytesIn: session.bytesIn, bytesOut: session.bytesOut, lastSeenAt: session.lastSeenAt };
  }

  private async flush() {
    const lines = this.log;
    this.log = [];
    const prisma = getPrisma();
    if (lines.length > 0) await prisma.appRequest.createMany({ data: lines });
    for (const session of this.byToken.values()) {
      if (session.dirty) await prisma.appSession.update({ where: { id: session.id }, data: this.counters(session) });
    }
  }
}
