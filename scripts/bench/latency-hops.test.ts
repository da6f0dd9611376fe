import { describe, expect, it } from "vitest";
import { HOPS, latencyHops, parseTcpdump } from "./latency-hops.ts";

const ports = { listen: 40000, sshd: 2222, target: 7000 };

/** One -L round trip as tcpdump prints it, starting at `start` µs past second 100. */
function trace(start: number, client: number, leg: number): string {
  const at = (offset: number) => `100.${String(start + offset).padStart(6, "0")}`;
  const line = (offset: number, from: number, to: number, flags: string, length: number) =>
    `${at(offset)} IP 127.0.0.1.${from} > 127.0.0.1.${to}: Flags [${flags}], seq 1, ack 1, win 64, options [nop], length ${length}`;
  return [
    line(0, client, 40000, "S", 0),
    line(5, 40000, client, "S.", 0),
    line(20, client, 40000, "P.", 1), // the request, before the channel is open
    line(100, 33000, 2222, "P.", 100), // channel open
    line(150, leg, 7000, "S", 0), // sshd connects to the target
    line(160, 2222, 33000, "P.", 52), // confirmation
    line(200, 33000, 2222, "P.", 36), // the request, in the channel
    line(230, leg, 7000, "P.", 1),
    line(240, 7000, leg, "P.", 1), // the echo
    line(300, 2222, 33000, "P.", 36),
    line(330, 40000, client, "P.", 1),
    line(340, client, 40000, "F.", 0),
  ].join("\n");
}

describe("latencyHops", () => {
  it("splits each round trip into the forwarder's, sshd's and the target's hops", () => {
    const text = ["tcpdump: listening on lo", trace(0, 50001, 60001), trace(1000, 50002, 60002)].join("\n");
    const hops = latencyHops(parseTcpdump(text), ports);
    const expected = [100, 50, 10, 40, 30, 10, 60, 30, 330];
    for (const [index, hop] of HOPS.entries()) expect(hops.get(hop), hop).toEqual([expected[index], expected[index]]);
  });

  it("tells apart two connections from the same client port", () => {
    const hops = latencyHops(parseTcpdump([trace(0, 50001, 60001), trace(1000, 50001, 60002)].join("\n")), ports);
    expect(hops.get("total: client's SYN → reply")).toEqual([330, 330]);
  });

  it("skips a connection whose target leg is missing from the capture", () => {
    const text = trace(0, 50001, 60001)
      .split("\n")
      .filter((line) => !line.includes("> 127.0.0.1.7000: Flags [S]"))
      .join("\n");
    expect(latencyHops(parseTcpdump(text), ports).get("total: client's SYN → reply")).toEqual([]);
  });
});
