// A tiny DNS server for benches: every A question is answered 127.0.0.1 and
// every other with no record, after `delayMs` for `slowName` and at once for
// any other name. Enough for glibc's resolver (one question, no EDNS).
import dgram from "node:dgram";

export type SlowDns = { close(): Promise<void> };

/** The question's name, and where the question (name, type, class) ends. */
function question(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (query[at]) {
    const length = query[at]!;
    labels.push(query.subarray(at + 1, at + 1 + length).toString("latin1"));
    at += 1 + length;
  }
  return { name: labels.join(".").toLowerCase(), type: query.readUInt16BE(at + 1), end: at + 5 };
}

function answer(query: Buffer): Buffer {
  const { type, end } = question(query);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // its id
  header.writeUInt16BE(0x8180, 2); // a response, recursion desired and available, no error
  header.writeUInt16BE(1, 4);
  const records = type === 1 ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 127, 0, 0, 1]) : Buffer.alloc(0);
  header.writeUInt16BE(records.length > 0 ? 1 : 0, 6);
  return Buffer.concat([header, query.subarray(12, end), records]);
}

export function startSlowDns({ address, slowName, delayMs }: { address: string; slowName: string; delayMs: number }): Promise<SlowDns> {
  const socket = dgram.createSocket("udp4");
  const timers = new Set<NodeJS.Timeout>();
  socket.on("message", (query, from) => {
    const reply = () => socket.send(answer(query), from.port, from.address);
    if (question(query).name !== slowName) return reply();
    const timer = setTimeout(() => {
      timers.delete(timer);
      reply();
    }, delayMs);
    timers.add(timer);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(53, address, () =>
      resolve({
        close: () =>
          new Promise((done) => {
            for (const timer of timers) clearTimeout(timer);
            socket.close(() => done());
          }),
      }),
    );
  });
}
