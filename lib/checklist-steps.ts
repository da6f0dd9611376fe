// The first-run checklist's steps for one person: only those they can take
// themselves (adding and testing hosts is for admins; inviting a teammate for
// admins and team owners; opening a tunnel needs a host to open it through).

export type ChecklistStepId = "add-host" | "test-host" | "open-tunnel" | "invite";
export type ChecklistStep = { id: ChecklistStepId; label: string; hint: string; href: string; done: boolean };

/** What the steps are decided from, read from the database by lib/first-run-checklist.ts. */
export type ChecklistFacts = {
  admin: boolean;
  ownsTeam: boolean;
  /** A host exists that this person may open tunnels through. */
  hostAvailable: boolean;
  /** A host passed its last test. */
  hostTested: boolean;
  /** A tunnel of theirs has been active at least once. */
  tunnelOpened: boolean;
  /** Admins: someone else has an account, or a team invitation exists; team owners: the same within their teams. */
  teammateInvited: boolean;
};

export function checklistSteps(facts: ChecklistFacts): ChecklistStep[] {
  const steps: ChecklistStep[] = [];
  if (facts.admin) {
    steps.push(
      { id: "add-host", label: "Add your first host", hint: "the SSH server Warren opens tunnels through", href: "/hosts", done: facts.hostAvailable },
      {
        id: "test-host",
        label: "Test its connection",
        hint: "Test, in the host's row, checks the network, the host key, sign-in and forwarding",
        href: "/hosts",
        done: facts.hostTested,
      },
    );
  }
  if (facts.admin || facts.hostAvailable) {
    steps.push({ id: "open-tunnel", label: "Open your first tunnel", hint: "New tunnel, then Open tunnel", href: "/tunnels/new", done: facts.tunnelOpened });
  }
  if (facts.admin || facts.ownsTeam) {
    steps.push({
      id: "invite",
      label: "Invite a teammate",
      hint: facts.admin ? "add a person on the Users page, or to a team" : "add someone to your team",
      href: facts.admin ? "/users" : "/teams",
      done: facts.teammateInvited,
    });
  }
  return steps;
}
