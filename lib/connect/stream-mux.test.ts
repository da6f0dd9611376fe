import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, parseControl, STREAM_WINDOW_BYTES, streamHeader } from "./connect-frames";
import { type MuxStream, type StreamEnd, StreamMux } from "./stream-mux";

/** A local end that records what the mux tells it; `taking`: credits what it is given at once. */
function recorder(taking: () => MuxStream | undefined) {
  const seen = { bytes: 0, events: [] as string[], acknowledged: 0 };
  const end: StreamEnd = {
    write: (payload) => {
      seen.bytes += payload.length;
      taking()?.taken(payload.length);
    },
    end: () => seen.events.push("end"),
    reset: (reason, sessionOver) => seen.events.push(`reset: ${reason}${sessionOver ? " (session)" : ""}`),
    close: () => seen.events.push("close"),
    acknowledged: (bytes) => (seen.acknowledged += bytes),
  };
  return { seen, end };
}

type Side = { mux: StreamMux; failed: string[]; sent: { binary: boolean; data: Buffer }[] };

/** A client and a Warren side joined by an in-memory wire; frames are delivered by `flush` (or held by `hold`). */
function pair(accept?: (stream: MuxStream) => StreamEnd | string) {
  const make = (first: 1 | 2, accepting?: (stream: MuxStream) => StreamEnd | string): Side => {
    const side: Side = { failed: [], sent: [], mux: undefined as unknown as StreamMux };
    side.mux = new StreamMux(
      {
        sendBinary: (...parts) => side.sent.push({ binary: true, data: Buffer.concat(parts) }),
        sendText: (text) => side.sent.push({ binary: false, data: Buffer.from(text) }),
        fail: (reason) => side.failed.push(reason),
      },
      accepting,
      first,
    );
    return side;
  };
  const client = make(1);
  const warren = make(2, accept);
  const deliver = (from: Side, to: Side) => {
    const frames = from.sent.splice(0);
    for (const frame of frames) to.mux.receive(frame.data, frame.binary);
    return frames.length;
  };
  /** Delivers both ways, credits included (they leave on setImmediate), until the wire is quiet. */
  const flush = async () => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (deliver(client, warren) + deliver(warren, client) === 0) return;
    }
  };
  return { client, warren, flush };
}

describe("StreamMux", () => {
  it("carries bytes, FINs and a clean close both ways, with credit", async () => {
    let warrenStream: MuxStream | undefined;
    const atWarren = recorder(() => warrenStream);
    const { client, flush } = pair((stream) => {
      warrenStream = stream;
      return atWarren.end;
    });
    let clientStream: MuxStream | undefined;
    const atClient = recorder(() => clientStream);
    clientStream = client.mux.open(atClient.end);
    expect(clientStream.send(Buffer.alloc(3 * MAX_FRAME_BYTES + 5, 1))).toBe(true);
    clientStream.end();
    await flush();
    expect(atWarren.seen).toMatchObject({ bytes: 3 * MAX_FRAME_BYTES + 5, events: ["end"] });
    expect(atClient.seen.acknowledged).toBe(3 * MAX_FRAME_BYTES + 5);
    warrenStream!.send(Buffer.from("answer"));
    warrenStream!.end();
    warrenStream!.close();
    await flush();
    expect(atClient.seen).toMatchObject({ bytes: 6, events: ["end", "close"] });
    expect(client.mux.size).toBe(0);
  });

  it("stops a sender at its window, and resets a stream sent twice that unread", async () => {
    const atWarren = recorder(() => undefined); // never takes: no credit goes back
    const { client, warren, flush } = pair(() => atWarren.end);
    const atClient = recorder(() => undefined);
    const stream = client.mux.open(atClient.end);
    expect(stream.send(Buffer.alloc(STREAM_WINDOW_BYTES - 1))).toBe(true);
    expect(stream.send(Buffer.alloc(1))).toBe(false);
    expect(stream.full).toBe(true);
    // A sender that does not stop is cut off, its stream only.
    stream.send(Buffer.alloc(STREAM_WINDOW_BYTES + 1));
    await flush();
    expect(atWarren.seen.events).toEqual(["reset: the other side sent more than the stream's window"]);
    expect(atClient.seen.events).toEqual(["reset: sent more than its window"]);
    expect(warren.failed).toEqual([]);
  });

  it("tells the opener why a stream was refused", async () => {
    const { client, flush } = pair(() => "you have 3 connections open");
    const atClient = recorder(() => undefined);
    client.mux.open(atClient.end);
    await flush();
    expect(atClient.seen.events).toEqual(["reset: you have 3 connections open"]);
  });

  it("ends the session on frames that break the protocol", () => {
    const cases: [Buffer, boolean, RegExp][] = [
      [Buffer.from("not json"), false, /a control frame that is not one/],
      [Buffer.from(JSON.stringify({ type: "open", stream: 2 })), false, /an open of stream 2, which it may not open/],
      [Buffer.from([0, 0]), true, /a data frame of 2 bytes/],
      [Buffer.concat([streamHeader(1), Buffer.alloc(MAX_FRAME_BYTES + 1)]), true, /a data frame of 65541 bytes/],
    ];
    for (const [data, binary, reason] of cases) {
      const { warren } = pair(() => recorder(() => undefined).end);
      warren.mux.receive(data, binary);
      expect(warren.failed).toHaveLength(1);
      expect(warren.failed[0]).toMatch(reason);
    }
  });

  it("refuses a stream number used before, and one only the other side may open", () => {
    const { warren } = pair(() => recorder(() => undefined).end);
    warren.mux.receive(Buffer.from(JSON.stringify({ type: "open", stream: 5 })), false);
    warren.mux.receive(Buffer.from(JSON.stringify({ type: "open", stream: 3 })), false);
    expect(warren.failed).toEqual(["the other side sent an open of stream 3, which it may not open"]);
  });

  it("resets every stream, saying the session is over", () => {
    const { client } = pair();
    const one = recorder(() => undefined);
    client.mux.open(one.end);
    client.mux.resetAll("access ended");
    expect(one.seen.events).toEqual(["reset: access ended (session)"]);
  });
});

describe("parseControl", () => {
  it("reads the five frames and nothing else", () => {
    expect(parseControl('{"type":"credit","credits":[[1,10],[3,5]]}')).toEqual({
      type: "credit",
      credits: [
        [1, 10],
        [3, 5],
      ],
    });
    expect(parseControl('{"type":"reset","stream":1,"reason":"gone"}')).toEqual({ type: "reset", stream: 1, reason: "gone" });
    for (const text of [
      '{"type":"open","stream":-1}',
      '{"type":"open","stream":1.5}',
      '{"type":"open","stream":4294967296}',
      '{"type":"end"}',
      '{"type":"credit","credits":[[1,0]]}',
      '{"type":"credit","credits":[[1]]}',
      '{"type":"shout","stream":1}',
      "null",
      "[]",
    ]) {
      expect(parseControl(text), text).toBeNull();
    }
  });
});
