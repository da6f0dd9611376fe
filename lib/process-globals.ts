// What the process keeps once although lib/ runs in it twice: server/index.ts
// loads its modules, and Next's bundle (route handlers, actions) has module
// copies of its own. Each such thing lives on globalThis under its name here,
// and nothing else reads or writes globalThis.
import type { FailureAudit } from "@/lib/auth/failure-audit";
import type { RateLimiter } from "@/lib/auth/rate-limit";
import type { WarrenConfig } from "@/lib/config";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Io } from "@/lib/realtime/publish";
import type { TunnelEngineApi } from "@/lib/tunnels/engine-port";

type ProcessGlobals = {
  warrenConfig?: WarrenConfig;
  warrenPrisma?: PrismaClient;
  /** socket.io's server while server/realtime/socket-server.ts runs it. */
  warrenIo?: Io;
  /** The tunnel engine while server/ runs it. */
  warrenEngine?: TunnelEngineApi;
  /** The last audit append queued: appends run one at a time. */
  warrenAuditQueue?: Promise<unknown>;
  /** Called after each committed append: audit streaming (server/audit/) delivers at once. */
  warrenAuditAppended?: Set<() => void>;
  warrenSignInLimits?: { accountFromSource: RateLimiter; source: RateLimiter };
  warrenFailureAudit?: FailureAudit;
  /** Called after notifications with email or Slack deliveries are made: server/notifications/ sends them at once. */
  warrenNotificationsMade?: Set<() => void>;
  /** Check live users of tunnels again now (server/connect/, server/apps/), while they run. */
  warrenAccessRechecks?: Set<() => void>;
  /** Sign-ins started per source, and wrong device codes per source and per person (lib/auth/device-flow.ts). */
  warrenDeviceLimits?: { started: RateLimiter; wrongCodesFromSource: RateLimiter; wrongCodesByUser: RateLimiter };
};

export const processGlobals = globalThis as typeof globalThis & ProcessGlobals;
