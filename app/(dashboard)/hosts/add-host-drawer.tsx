"use client";

import { Plus } from "lucide-react";
import { useState } from "react";
import { Dialog } from "@/app/components/dialog";
import { useToast } from "@/app/components/toast-provider";
import { AddHostForm } from "./add-host-form";
import type { TeamOption } from "./assignment-fields";

/** "Add host" beside the page's heading, and its form in a drawer. A host with a key
 *  pasted is ready to test: the drawer closes. A generated key must be installed first: it stays open with the instructions. */
export function AddHostDrawer({ teams, canAssignAll }: { teams: TeamOption[]; canAssignAll: boolean }) {
  const [open, setOpen] = useState(false);
  const toast = useToast();
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="ml-auto inline-flex items-center gap-1 rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700"
      >
        <Plus aria-hidden className="size-4" />
        Add host
      </button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Add a host"
        description="An SSH server Warren opens tunnels through. Its key stays on the bastion, encrypted."
        variant="drawer"
        initialFocus={() => document.getElementById("name")}
        testId="add-host-drawer"
      >
        <AddHostForm
          teams={teams}
          canAssignAll={canAssignAll}
          onAdded={(host) => {
            toast({ title: `Added ${host.name}.`, body: host.keyGenerated ? "Install its public key, then press Test in its row." : "Press Test in its row." });
            if (!host.keyGenerated) setOpen(false);
          }}
        />
      </Dialog>
    </>
  );
}
