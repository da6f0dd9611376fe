import { describe, expect, it } from "vitest";
import { type ChecklistFacts, checklistSteps } from "@/lib/checklist-steps";

const nothingYet: ChecklistFacts = {
  admin: false,
  ownsTeam: false,
  hostAvailable: false,
  hostTested: false,
  tunnelOpened: false,
  teammateInvited: false,
};

describe("checklistSteps", () => {
  it("gives an admin all four steps, in order, each done as its fact says", () => {
    const steps = checklistSteps({ ...nothingYet, admin: true, hostAvailable: true, hostTested: true });
    expect(steps.map((step) => [step.id, step.done])).toEqual([
      ["add-host", true],
      ["test-host", true],
      ["open-tunnel", false],
      ["invite", false],
    ]);
    expect(steps.find((step) => step.id === "invite")?.href).toBe("/users");
  });

  it("starts someone who is not an admin at opening a tunnel, and only once a host is there for them", () => {
    expect(checklistSteps(nothingYet)).toEqual([]);
    expect(checklistSteps({ ...nothingYet, hostAvailable: true }).map((step) => step.id)).toEqual(["open-tunnel"]);
  });

  it("asks a team owner to invite a teammate to their team", () => {
    const steps = checklistSteps({ ...nothingYet, ownsTeam: true, hostAvailable: true, teammateInvited: true });
    expect(steps.map((step) => [step.id, step.done, step.href])).toEqual([
      ["open-tunnel", false, "/tunnels/new"],
      ["invite", true, "/teams"],
    ]);
  });
});
