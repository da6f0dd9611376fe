import { isOpen } from "@/lib/tunnels/tunnel-status";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

/** Who is looking, as the tunnel pages need it: to show only controls they can use (the server decides anyway);
 *  `severalNodes`: several Warren nodes share the database, so lists name the node carrying each tunnel. */
export type Viewer = { id: string; isAdmin: boolean; teamIds: string[]; severalNodes: boolean };

/** A member of the team it is shared with, not yet in, may join an open tunnel that listens on the bastion. */
export function canJoin(tunnel: TunnelDto, viewer: Viewer): boolean {
  return (
    tunnel.ownerId !== viewer.id &&
    tunnel.teamId !== null &&
    viewer.teamIds.includes(tunnel.teamId) &&
    isOpen(tunnel.status) &&
    tunnel.kind !== "remote" &&
    !tunnel.participants.some((participant) => participant.userId === viewer.id)
  );
}
