import os from "node:os";
import { describe, expect, it } from "vitest";
import { resolveBastionTarget } from "@/lib/tunnels/bastion-target";

const own = Object.values(os.networkInterfaces())
  .flat()
  .find((entry) => entry && !entry.internal && entry.family === "IPv4")?.address;
const refusal = async (targets: string[], host: string) => {
  const checked = await resolveBastionTarget({ targets }, "db-1", host);
  return "refusal" in checked ? checked.refusal : null;
};

describe("a remote tunnel's target on the bastion itself", () => {
  it.each(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "0.0.0.0", "::", "0x7f000001", "2130706433", "localhost"])(
    "refuses %s when the policy names nothing",
    async (host) => {
      expect(await refusal([], host)).toMatch(
        /is the bastion itself \((its loopback|the unspecified address, which reaches the bastion itself)\); db-1's policy must name it in its targets to allow that$/,
      );
    },
  );

  it("refuses every address of the bastion's own interfaces", async () => {
    expect(own, "this machine has a non-loopback IPv4 address").toBeDefined();
    expect(await refusal([], own!)).toBe(
      `${own} is the bastion itself (an address of its own interfaces); db-1's policy must name it in its targets to allow that`,
    );
    expect(await refusal([`${own}/32`], own!)).toBeNull();
    expect(await refusal([own!], own!)).toBeNull();
  });

  it("allows it when the policy names it: the address, a range within loopback, or localhost", async () => {
    expect(await refusal(["127.0.0.1"], "127.0.0.1")).toBeNull();
    expect(await refusal(["127.0.0.0/8"], "127.9.9.9")).toBeNull();
    expect(await refusal(["::1"], "::1")).toBeNull();
    expect(await refusal(["localhost"], "127.0.0.1")).toBeNull();
    expect(await refusal(["0.0.0.0"], "0.0.0.0")).toBeNull();
  });

  it("does not count a broad range that merely contains it, nor another loopback address", async () => {
    for (const targets of [["0.0.0.0/0"], ["0.0.0.0/1"], ["::/0"], ["127.0.0.2"], ["*.internal", "db"]]) {
      expect(await refusal(targets, "127.0.0.1"), targets.join()).not.toBeNull();
    }
    if (own) expect(await refusal([`${own.split(".").slice(0, 3).join(".")}.0/24`], own)).not.toBeNull();
  });

  it("answers the checked addresses to dial, numeric forms spelled out", async () => {
    expect(await resolveBastionTarget({ targets: [] }, "db-1", "192.0.2.7")).toEqual({ addresses: ["192.0.2.7"] });
    expect(await resolveBastionTarget({ targets: ["127.0.0.0/8"] }, "db-1", "0x7f000001")).toEqual({ addresses: ["127.0.0.1"] });
  });
});
