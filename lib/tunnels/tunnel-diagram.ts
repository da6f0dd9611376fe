// The picture of who listens where (docs/architecture.md, "Tunnel model"; the seed's diagrams) as
// plain geometry, so the form and the detail page draw the same thing and the
// tests can check it. A connection flows top to bottom; the box that opens the
// new port, the left side of the ssh spec, is the highlighted one.
import { isLoopback, isWildcard } from "@/lib/tunnels/tunnel-rules";
import type { TunnelKind as Kind } from "@/lib/validation/common";
/** Ports may be missing while a form is being filled in; they are drawn as "?". */
type Endpoint = { address: string; port?: number | null };

export type DiagramInput = {
  kind: Kind;
  /** The SSH host's name, or nothing while none is chosen. */
  hostName?: string | null;
  /** null: no port on the bastion; the laptop reaches it with warren connect (local, dynamic). */
  listen: Endpoint | null;
  /** `client`: a remote tunnel to the person's own computer, held by `warren expose`. */
  target?: { host: string; port?: number | null } | { client: true } | null;
  /** A web tunnel (local): its app's address in the browser, or what it will be. */
  web?: string | null;
  /** For a listener beyond loopback: the sources listed, and the requester's
   *  own address, which is the server's default when none are. */
  sources?: { listed: string[]; requesterIp: string | null };
};

export type DiagramNodeId = "client" | "bastion" | "sshHost" | "target";
export type DiagramLine = { text: string; role: "title" | "subtitle" | "note"; y: number };
export type DiagramNode = {
  id: DiagramNodeId;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Whether this box opens the new port. */
  listens: boolean;
  lines: DiagramLine[];
};
export type DiagramEdge = {
  from: DiagramNodeId;
  to: DiagramNodeId;
  /** The stretch inside the SSH connection between the bastion and the SSH host. */
  viaSsh: boolean;
  x: number;
  y1: number;
  y2: number;
  /** The arrowhead at y2, as SVG polygon points. */
  head: string;
  label: { text: string; x: number; y: number };
};
export type TunnelDiagram = {
  width: number;
  height: number;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  listener: { node: DiagramNodeId; endpoint: string; badge: { x: number; y: number; width: number; height: number; text: string } };
  /** One sentence saying the same as the picture, for its text alternative. */
  sentence: string;
  /** Who can connect to the new port. */
  reach: string;
};

const DIAGRAM_WIDTH = 360;
const MARGIN = 16;
const BOX_X = 20;
const BOX_WIDTH = DIAGRAM_WIDTH - 2 * BOX_X;
const PADDING_TOP = 24;
const PADDING_BOTTOM = 12;
const LINE_HEIGHT = 19;
const GAP = 60;
const ARROW_X = 60;
// About what fits in a box (or beside an arrow) at the drawing's font sizes;
// longer text is cut, and the sentence still says it in full.
const MAX_CHARS = { title: 30, subtitle: 38, note: 38, edge: 38 } as const;

const fit = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const bracket = (address: string) => (address.includes(":") ? `[${address}]` : address);

const portText = (port?: number | null) => (port != null && Number.isFinite(port) ? String(port) : "?");

/** "127.0.0.1:20001", "[::1]:20001", "?:?" for what is not filled in yet. */
export function endpointText(address: string, port?: number | null): string {
  return `${bracket(address.trim() || "?")}:${portText(port)}`;
}

/** What a client dials: a wildcard listener is reached at its machine's own name. */
function dialText(where: string, listen: Endpoint): string {
  const address = listen.address.trim();
  return address && isWildcard(address) ? `${where}, port ${portText(listen.port)}` : endpointText(address, listen.port);
}

type NodeText = { id: DiagramNodeId; title: string; subtitle: string; notes?: string[] };
type EdgeText = { text: string; viaSsh?: boolean };

/** Who may connect beyond loopback: the listed sources, else the requester alone (the server's default). */
function whoMayConnect(where: string, address: string, sources: DiagramInput["sources"]): string {
  const reachable = isWildcard(address) ? `reach ${where}` : `reach ${where} at ${address}`;
  if (sources?.listed.length) return `Whoever can ${reachable} from an allowed source can connect`;
  if (sources?.requesterIp) return `Only ${sources.requesterIp} (your address) can connect, unless you list other allowed sources`;
  return `Whoever can ${reachable} from an allowed source can connect; list them, since Warren cannot tell your address`;
}

/** Who can reach a listener on `address` of `where`. */
function reachOf(kind: Kind, address: string, hostName: string, sources: DiagramInput["sources"]): string {
  const where = kind === "remote" ? hostName : "the bastion";
  const trimmed = address.trim();
  if (!trimmed) return `Choose the address ${where} listens on.`;
  if (isLoopback(trimmed) && kind === "remote") return `Only programs on ${where} itself can connect to ${trimmed}.`;
  if (isLoopback(trimmed))
    return `Only programs on the bastion itself can connect to ${trimmed}; from your laptop, go through your own SSH login to the bastion.`;
  const who = whoMayConnect(where, trimmed, sources);
  if (kind !== "remote") return `${who}.`;
  // sshd binds remote forwards to loopback unless its GatewayPorts says otherwise.
  return `${who}. That needs GatewayPorts clientspecified in ${where}'s sshd (yes works too, but makes its loopback binds public as well); otherwise it listens on 127.0.0.1 only.`;
}

/** No port on the bastion, so the reach is the client's own. */
export const CONNECT_REACH = "No port opens on the bastion: reach it from your laptop with warren connect, which checks who you are, not your address.";

/** A local or dynamic tunnel with no port on the bastion: the new port is on the laptop, carried over Warren's HTTPS port. */
function describeConnect(input: DiagramInput, host: string, target: string, seenFrom: (where: string) => string) {
  const dynamic = input.kind === "dynamic";
  return {
    nodes: [
      { id: "client", title: "laptop (you)", subtitle: "warren connect: a port here", notes: dynamic ? ["as a SOCKS5 proxy"] : [] },
      { id: "bastion", title: "bastion", subtitle: "Warren", notes: ["no port here: HTTPS only"] },
      { id: "sshHost", title: input.hostName?.trim() || "SSH host", subtitle: "SSH host" },
      dynamic
        ? { id: "target", title: "any destination", subtitle: `each one as seen from ${host}` }
        : { id: "target", title: target, subtitle: seenFrom(host) },
    ] satisfies NodeText[],
    edges: [
      { text: "over Warren's HTTPS port, as you" },
      { text: "inside the SSH connection", viaSsh: true },
      { text: dynamic ? "connects to what the client asks for" : `connects to ${target}` },
    ],
    sentence: `Reach it with warren connect: connections to a port on your laptop go over Warren's HTTPS port, then through ${host} to ${dynamic ? "whatever destination each one asks for" : target}, as seen from ${host}. No port opens on the bastion.`,
  };
}

/** A web tunnel with no port on the bastion: the browser opens the app's own address on Warren. */
function describeWeb(url: string, host: string, target: string, seenFrom: (where: string) => string) {
  return {
    nodes: [
      { id: "client", title: "browser (you)", subtitle: "opens the app's address", notes: [url] },
      { id: "bastion", title: "bastion", subtitle: "Warren", notes: ["serves the app: signed-in people only"] },
      { id: "sshHost", title: host, subtitle: "SSH host" },
      { id: "target", title: target, subtitle: seenFrom(host) },
    ] satisfies NodeText[],
    edges: [{ text: "HTTPS to Warren, signed in as you" }, { text: "inside the SSH connection", viaSsh: true }, { text: `connects to ${target}` }],
    sentence: `Open ${url} in your browser: Warren checks who you are and carries each request through ${host} to the web app at ${target}, as seen from ${host}. No port opens on the bastion.`,
  };
}

/** Who can open a web tunnel's address. */
export const webReach = (url: string) =>
  `Only people signed in to Warren who may use this tunnel (you, and members of its team who joined it) can open ${url}.`;

function describe(input: DiagramInput): { nodes: NodeText[]; edges: EdgeText[]; sentence: string } {
  const host = input.hostName?.trim() || "the SSH host";
  const hostTarget = input.target && "host" in input.target ? input.target : null;
  const target = hostTarget ? endpointText(hostTarget.host, hostTarget.port) : "?:?";
  const targetHost = hostTarget?.host.trim() ?? "";
  const seenFrom = (where: string) => (isLoopback(targetHost) ? `that is, ${where} itself` : `as seen from ${where}`);
  if (!input.listen && input.web && input.kind === "local") return describeWeb(input.web, host, target, seenFrom);
  if (!input.listen) return describeConnect(input, host, target, seenFrom);
  const listenAt = input.listen;
  const listen = endpointText(listenAt.address, listenAt.port);
  const listensOn = `listens on ${listen}`;
  const bastion = (notes?: string[]): NodeText => ({ id: "bastion", title: "bastion", subtitle: "Warren", notes });
  const sshHost = (notes?: string[]): NodeText => ({ id: "sshHost", title: input.hostName?.trim() || "SSH host", subtitle: "SSH host", notes });
  // A loopback listener on the bastion is out of the laptop's direct reach.
  const viaLogin = isLoopback(listenAt.address.trim()) ? "via your own SSH login to the bastion" : undefined;

  switch (input.kind) {
    case "local":
      return {
        nodes: [
          { id: "client", title: "laptop (you)", subtitle: viaLogin ?? "your app: browser, psql, curl…" },
          bastion([listensOn]),
          sshHost(),
          { id: "target", title: target, subtitle: seenFrom(host) },
        ],
        edges: [
          { text: `connects to ${dialText("the bastion", listenAt)}` },
          { text: "inside the SSH connection", viaSsh: true },
          { text: `connects to ${target}` },
        ],
        sentence: `Connections to ${listen} on the bastion go through ${host} to ${target} as seen from ${host}.`,
      };
    case "dynamic":
      return {
        nodes: [
          { id: "client", title: "laptop (you)", subtitle: viaLogin ?? "a browser or curl using a SOCKS5 proxy" },
          bastion([listensOn, "as a SOCKS5 proxy"]),
          sshHost(),
          { id: "target", title: "any destination", subtitle: `each one as seen from ${host}` },
        ],
        edges: [
          { text: `SOCKS5 to ${dialText("the bastion", listenAt)}` },
          { text: "inside the SSH connection", viaSsh: true },
          { text: "connects to what the client asks for" },
        ],
        sentence: `SOCKS5 connections to ${listen} on the bastion go out through ${host} to whatever destination each one asks for, as seen from ${host}.`,
      };
    case "remote": {
      const address = listenAt.address.trim();
      const client = isLoopback(address) ? `programs on ${host} itself` : `anyone who can reach ${host}`;
      const gatewayPorts = address && !isLoopback(address) ? ["needs GatewayPorts in its sshd"] : [];
      if (input.target && "client" in input.target) {
        return {
          nodes: [
            { id: "client", title: "clients", subtitle: client },
            sshHost([listensOn, ...gatewayPorts]),
            bastion(),
            { id: "target", title: "your computer", subtitle: "warren expose hands it on" },
          ],
          edges: [
            { text: `connect to ${dialText(host, listenAt)}` },
            { text: "back inside the SSH connection", viaSsh: true },
            { text: "over HTTPS to warren expose" },
          ],
          sentence: `Connections to ${listen} on ${host} come back through the bastion and over Warren's HTTPS port to your computer, where warren expose hands each to the service it points at.`,
        };
      }
      return {
        nodes: [
          { id: "client", title: "clients", subtitle: client },
          sshHost([listensOn, ...gatewayPorts]),
          bastion(),
          { id: "target", title: target, subtitle: seenFrom("the bastion") },
        ],
        edges: [
          { text: `connect to ${dialText(host, listenAt)}` },
          { text: "back inside the SSH connection", viaSsh: true },
          { text: `connects to ${target}` },
        ],
        sentence: `Connections to ${listen} on ${host} come back through the bastion to ${target} as seen from the bastion.`,
      };
    }
  }
}

/** Lays out the diagram for a tunnel, or for a half-filled form. */
export function tunnelDiagram(input: DiagramInput): TunnelDiagram {
  const text = describe(input);
  const webOnly = !input.listen && input.web && input.kind === "local" ? input.web : null;
  const listenerId: DiagramNodeId = webOnly ? "bastion" : !input.listen ? "client" : input.kind === "remote" ? "sshHost" : "bastion";
  let y = MARGIN;
  const nodes = text.nodes.map((node): DiagramNode => {
    const texts = [
      { text: node.title, role: "title" as const },
      { text: node.subtitle, role: "subtitle" as const },
      ...(node.notes ?? []).map((note) => ({ text: note, role: "note" as const })),
    ];
    const top = y;
    const lines = texts.map((line, index) => ({ text: fit(line.text, MAX_CHARS[line.role]), role: line.role, y: top + PADDING_TOP + index * LINE_HEIGHT }));
    const height = PADDING_TOP + (texts.length - 1) * LINE_HEIGHT + PADDING_BOTTOM;
    y += height + GAP;
    return { id: node.id, x: BOX_X, y: top, width: BOX_WIDTH, height, listens: node.id === listenerId, lines };
  });
  const edges = text.edges.map((edge, index): DiagramEdge => {
    // Three edges join four boxes in order, so both ends always exist.
    const from = nodes[index]!;
    const to = nodes[index + 1]!;
    const y1 = from.y + from.height;
    const y2 = to.y;
    return {
      from: from.id,
      to: to.id,
      viaSsh: edge.viaSsh ?? false,
      x: ARROW_X,
      y1,
      y2,
      head: `${ARROW_X - 6},${y2 - 10} ${ARROW_X + 6},${y2 - 10} ${ARROW_X},${y2}`,
      label: { text: fit(edge.text, MAX_CHARS.edge), x: ARROW_X + 20, y: (y1 + y2) / 2 + 5 },
    };
  });
  const listener = nodes.find((node) => node.listens)!;
  const badge = webOnly ? { width: 104, height: 22, text: "NEW ADDRESS" } : { width: 84, height: 22, text: "NEW PORT" };
  return {
    width: DIAGRAM_WIDTH,
    height: y - GAP + MARGIN,
    nodes,
    edges,
    listener: {
      node: listener.id,
      endpoint: input.listen ? endpointText(input.listen.address, input.listen.port) : (webOnly ?? "your laptop"),
      badge: { ...badge, x: listener.x + listener.width - badge.width - 12, y: listener.y - badge.height / 2 },
    },
    sentence: text.sentence,
    reach: input.listen
      ? reachOf(input.kind, input.listen.address, input.hostName?.trim() || "the SSH host", input.sources)
      : webOnly
        ? webReach(webOnly)
        : CONNECT_REACH,
  };
}
