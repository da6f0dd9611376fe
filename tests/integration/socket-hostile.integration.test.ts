// Hostile input over socket.io (issue #8). Warren's sockets only send; today
// no client event means anything to the server. So arbitrary events with
// arbitrary payloads, events naming other users' ids, undecodable packets and
// oversized frames must change nothing: the sender gets no answer and no
// other user's events, the server stays up, and other users' sockets keep
// receiving their own live events. A fixed seed makes every run the same.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startOrigin, type Origin } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { eachEvent } from "@/tests/harness/socket-events";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const SEED = 20_261_125;
const FUZZED_EVENTS = 400;
/** Warren's documented limit of live sockets per user. */
const SOCKETS_PER_USER = 20;
const password = "correct horse battery";
type Received = { event: string; payload: { tunnelId?: string } };

let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
let alice: ApiClient;
let aliceToken = "";
let malloryToken = "";
let hostId = "";
let aliceTunnel = { id: "", port: 0 };
let aliceId = "";

async function connect(token: string, sink?: Received[]): Promise<Socket> {
  const socket = io(warren.url, { auth: { token }, transports: ["websocket"], reconnection: false });
  if (sink) socket.onAny((event: string, payload: unknown) => sink.push(...eachEvent(event, payload).map((one) => ({ event, payload: one }))));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

/** Traffic through alice's tunnel, and waits for her socket to hear about it. */
async function aliceHearsHerTunnel(sink: Received[]) {
  const before = sink.length;
  const body = await fetchAll("127.0.0.1", aliceTunnel.port);
  expect(createHash("sha256").update(body).digest("hex")).toBe(origin.sha256);
  await waitFor(
    async () => sink.slice(before),
    (events) => events.some((e) => e.event === "tunnel:stats" && e.payload.tunnelId === aliceTunnel.id),
    10_000,
    "alice's stats event",
  );
}

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin()]);
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  await warren.createUser({ email: "mallory@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  aliceToken = await warren.createToken("alice@example.com");
  malloryToken = await warren.createToken("mallory@example.com");
  alice = apiClient(warren.url, aliceToken);
  hostId = (
    await admin.post<{ id: string }>("/hosts", { name: "lab", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
  ).body.id;
  const port = await freePortInRange();
  const created = await alice.post<{ id: string; ownerId: string }>("/tunnels", {
    hostId,
    kind: "local",
    listen: { port },
    target: { host: "127.0.0.1", port: origin.port },
  });
  aliceTunnel = { id: created.body.id, port };
  aliceId = created.body.ownerId;
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

// Names a client might try: Warren's own events, room and subscription
// guesses, socket.io's reserved names, and anything at all.
const eventNameArb = fc.oneof(
  fc.constantFrom(
    "tunnel:status",
    "tunnel:stats",
    "audit:new",
    "session:ended",
    "tunnel:subscribe",
    "join",
    "subscribe",
    "room",
    "admin",
    "__proto__",
    "constructor",
    "disconnecting",
    "newListener",
  ),
  fc.string({ maxLength: 40 }),
);
const idsArb = () => fc.constantFrom(aliceTunnel.id, aliceId, `user:${aliceId}`, "admin", hostId, "../../", "' OR 1=1 --");
const payloadArb = () =>
  fc.oneof(
    fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }),
    fc.record({ tunnelId: idsArb(), userId: idsArb(), room: idsArb() }),
    fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  );

describe("a client sending what the server never asked for", () => {
  it(`${FUZZED_EVENTS} arbitrary events with arbitrary payloads and other users' ids get no answer, no foreign events, and harm no one`, async () => {
    const aliceHeard: Received[] = [];
    const malloryHeard: Received[] = [];
    const aliceSocket = await connect(aliceToken, aliceHeard);
    const mallory = await connect(malloryToken, malloryHeard);
    let answers = 0;
    try {
      const events = fc.sample(fc.tuple(eventNameArb, fc.array(payloadArb(), { maxLength: 3 }), fc.boolean()), { numRuns: FUZZED_EVENTS, seed: SEED });
      for (const [name, args, wantsAck] of events) {
        // socket.io-client refuses to send its own reserved names; a raw client would, and the next test does.
        if (["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].includes(name)) continue;
        if (wantsAck) mallory.emit(name, ...args, () => (answers += 1));
        else mallory.emit(name, ...args);
      }
      // Still connected, still served: a round of alice's own traffic is heard by alice only.
      await aliceHearsHerTunnel(aliceHeard);
      expect(mallory.connected).toBe(true);
      expect(answers).toBe(0);
      expect(malloryHeard).toEqual([]);
    } finally {
      aliceSocket.close();
      mallory.close();
    }
  });

  it("undecodable socket.io packets and an oversized frame cost only the sender its own socket", async () => {
    const aliceHeard: Received[] = [];
    const aliceSocket = await connect(aliceToken, aliceHeard);
    const garbage = [
      "",
      "4",
      "42",
      "42[",
      '42["x"',
      "4{}",
      "49",
      "45-[]",
      "451-",
      '451-["e",{"_placeholder":true,"num":99}]',
      "99",
      "0",
      "1",
      "2",
      '40{"token":1}',
      "\u0000\uffff",
      "4".repeat(10_000),
    ];
    try {
      for (const packet of [...garbage, `4${"x".repeat(2_000_000)}`]) {
        const mallory = await connect(malloryToken);
        const gone = new Promise<string>((resolve) => mallory.once("disconnect", (reason) => resolve(reason)));
        // Straight into the engine.io transport, past socket.io-client's encoder.
        (mallory.io.engine as unknown as { write(data: string): void }).write(packet);
        // Every one of them is either dropped by the server's decoder (closing
        // the sender's connection) or ignored; a ping round trip tells which.
        const outcome = await Promise.race(
          [gone, new Promise<string>((resolve) => mallory.emit("ping-check", () => resolve("answered")))].concat(
            new Promise<string>((resolve) => setTimeout(() => resolve(mallory.connected ? "ignored" : "closed"), 2_000)),
          ),
        );
        expect(outcome).not.toBe("answered");
        mallory.close();
      }
      await aliceHearsHerTunnel(aliceHeard);
      expect(aliceSocket.connected).toBe(true);
      expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);
      expect(warren.logs()).not.toMatch(/Unhandled|uncaught|TypeError/i);
    } finally {
      aliceSocket.close();
    }
  }, 120_000);

  it("cannot reach another user's room by any handshake field", async () => {
    const heard: Received[] = [];
    const aliceHeard: Received[] = [];
    const aliceSocket = await connect(aliceToken, aliceHeard);
    const sockets = await Promise.all(
      [{ userId: aliceId }, { room: `user:${aliceId}` }, { rooms: ["admin"] }, { role: "admin" }].map(async (extra) => {
        const socket = io(warren.url, {
          auth: { token: malloryToken, ...extra },
          query: { ...extra, userId: aliceId },
          transports: ["websocket"],
          reconnection: false,
        });
        socket.onAny((event: string, payload: Received["payload"]) => heard.push({ event, payload }));
        await new Promise<void>((resolve, reject) => {
          socket.once("connect", resolve);
          socket.once("connect_error", reject);
        });
        return socket;
      }),
    );
    try {
      await aliceHearsHerTunnel(aliceHeard);
      expect(heard).toEqual([]);
    } finally {
      aliceSocket.close();
      for (const socket of sockets) socket.close();
    }
  });
});

describe("a client opening many sockets or flooding one", () => {
  it(`gets at most ${SOCKETS_PER_USER} sockets at once per user, however many it asks for at once, and Warren keeps answering`, async () => {
    await warren.createUser({ email: "flood@example.com", password });
    const tokens = [await warren.createToken("flood@example.com"), await warren.createToken("flood@example.com")];
    const attempts = Array.from({ length: 3 * SOCKETS_PER_USER }, (_, i) => {
      const socket = io(warren.url, { auth: { token: tokens[i % 2] }, transports: ["websocket"], reconnection: false });
      return new Promise<{ socket: Socket; outcome: string }>((resolve) => {
        socket.once("connect", () => resolve({ socket, outcome: "connected" }));
        socket.once("connect_error", (error) => resolve({ socket, outcome: error.message }));
      });
    });
    const results = await Promise.all(attempts);
    try {
      const outcomes = results.map((r) => r.outcome);
      expect(outcomes.filter((o) => o === "connected")).toHaveLength(SOCKETS_PER_USER);
      expect(new Set(outcomes.filter((o) => o !== "connected"))).toEqual(
        new Set([`too many live connections: at most ${SOCKETS_PER_USER} per user; close other Warren tabs or scripts`]),
      );
      expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);
      // Another user is not affected, and a closed socket frees its place.
      (await connect(aliceToken)).close();
      results.find((r) => r.outcome === "connected")!.socket.close();
      await waitFor(
        async () => {
          const socket = io(warren.url, { auth: { token: tokens[0] }, transports: ["websocket"], reconnection: false });
          const ok = await new Promise<boolean>((resolve) => {
            socket.once("connect", () => resolve(true));
            socket.once("connect_error", () => resolve(false));
          });
          socket.close();
          return ok;
        },
        (ok) => ok,
        10_000,
        "a place freed by a closed socket",
      );
    } finally {
      for (const { socket } of results) socket.close();
    }
  });

  it("is disconnected after thousands of junk events, without harm to anyone else", async () => {
    const aliceHeard: Received[] = [];
    const aliceSocket = await connect(aliceToken, aliceHeard);
    const mallory = await connect(malloryToken);
    const gone = new Promise<string>((resolve, reject) => {
      mallory.once("disconnect", (reason) => resolve(reason));
      setTimeout(() => reject(new Error("still connected 20 s after 20,000 junk events")), 20_000).unref();
    });
    try {
      for (let i = 0; i < 20_000 && mallory.connected; i++) {
        mallory.emit("junk", i);
        if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await gone).toMatch(/io server disconnect|transport close/);
      await aliceHearsHerTunnel(aliceHeard);
      expect(aliceSocket.connected).toBe(true);
      expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);
    } finally {
      aliceSocket.close();
      mallory.close();
    }
  });

  it("loses every socket of a token once it is revoked, and only those", async () => {
    const token = await warren.createToken("mallory@example.com");
    const doomed = await Promise.all([connect(token), connect(token), connect(token)]);
    const kept = await connect(malloryToken);
    const ended = doomed.map((socket) => new Promise<string>((resolve) => socket.once("session:ended", (event: { reason: string }) => resolve(event.reason))));
    try {
      const list = await warren.cli(["token", "list", "--email", "mallory@example.com"]);
      const id = list.stdout
        .split("\n")
        .find((line) => token.startsWith(line.split(/\s+/)[1]?.replace("…", "") || "-"))
        ?.split(/\s+/)[0];
      expect((await warren.cli(["token", "revoke", "--id", id!])).code).toBe(0);
      expect(await Promise.all(ended)).toEqual(doomed.map(() => "your session has ended"));
      expect(kept.connected).toBe(true);
    } finally {
      for (const socket of [...doomed, kept]) socket.close();
    }
  });
});
