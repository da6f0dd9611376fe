import { describe, expect, it } from "vitest";
import { endpointText, tunnelDiagram, type DiagramInput, type TunnelDiagram } from "@/lib/tunnels/tunnel-diagram";

const local: DiagramInput = { kind: "local", hostName: "db-1", listen: { address: "127.0.0.1", port: 20001 }, target: { host: "localhost", port: 5432 } };
const remote: DiagramInput = { kind: "remote", hostName: "gw", listen: { address: "0.0.0.0", port: 8080 }, target: { host: "10.0.0.7", port: 80 } };
const dynamic: DiagramInput = { kind: "dynamic", hostName: "db-1", listen: { address: "127.0.0.1", port: 20002 } };

const order = (diagram: TunnelDiagram) => diagram.nodes.map((node) => node.id);
const texts = (diagram: TunnelDiagram, id: string) => diagram.nodes.find((node) => node.id === id)?.lines.map((line) => line.text);

describe("tunnelDiagram", () => {
  it("draws a tunnel with no port on the bastion: the laptop opens the port, warren connect carries it", () => {
    const diagram = tunnelDiagram({ ...local, listen: null });
    expect(order(diagram)).toEqual(["client", "bastion", "sshHost", "target"]);
    expect(diagram.listener).toMatchObject({ node: "client", endpoint: "your laptop" });
    expect(texts(diagram, "bastion")).toEqual(["bastion", "Warren", "no port here: HTTPS only"]);
    expect(diagram.edges[0]?.label.text).toBe("over Warren's HTTPS port, as you");
    expect(diagram.sentence).toContain("Reach it with warren connect");
    expect(diagram.sentence).toContain("No port opens on the bastion.");
    expect(diagram.reach).toContain("reach it from your laptop with warren connect");
    expect(texts(tunnelDiagram({ ...dynamic, listen: null }), "target")).toEqual(["any destination", "each one as seen from db-1"]);
  });

  it("draws a local tunnel with the bastion opening the new port", () => {
    const diagram = tunnelDiagram(local);
    expect(order(diagram)).toEqual(["client", "bastion", "sshHost", "target"]);
    expect(diagram.listener.node).toBe("bastion");
    expect(diagram.nodes.filter((node) => node.listens).map((node) => node.id)).toEqual(["bastion"]);
    expect(texts(diagram, "client")).toEqual(["laptop (you)", "via your own SSH login to the bastion"]);
    expect(texts(diagram, "bastion")).toContain("listens on 127.0.0.1:20001");
    expect(texts(diagram, "sshHost")?.[0]).toBe("db-1");
    expect(texts(diagram, "target")).toEqual(["localhost:5432", "that is, db-1 itself"]);
    expect(diagram.sentence).toBe("Connections to 127.0.0.1:20001 on the bastion go through db-1 to localhost:5432 as seen from db-1.");
    expect(diagram.reach).toBe("Only programs on the bastion itself can connect to 127.0.0.1; from your laptop, go through your own SSH login to the bastion.");
  });

  it("lets the laptop reach a bastion listener on a routable address directly", () => {
    const diagram = tunnelDiagram({ ...local, listen: { address: "0.0.0.0", port: 20001 } });
    expect(texts(diagram, "client")).toEqual(["laptop (you)", "your app: browser, psql, curl…"]);
    expect(diagram.edges[0]?.label.text).toBe("connects to the bastion, port 20001");
    expect(diagram.reach).toBe("Whoever can reach the bastion from an allowed source can connect; list them, since Warren cannot tell your address.");
    const routable = { ...local, listen: { address: "10.0.0.1", port: 20001 } };
    expect(tunnelDiagram({ ...routable, sources: { listed: [], requesterIp: "10.1.2.3" } }).reach).toBe(
      "Only 10.1.2.3 (your address) can connect, unless you list other allowed sources.",
    );
    expect(tunnelDiagram({ ...routable, sources: { listed: ["10.1.0.0/16"], requesterIp: "10.1.2.3" } }).reach).toBe(
      "Whoever can reach the bastion at 10.0.0.1 from an allowed source can connect.",
    );
  });

  it("draws a remote tunnel with the SSH host opening the new port, ahead of the bastion", () => {
    const diagram = tunnelDiagram(remote);
    expect(order(diagram)).toEqual(["client", "sshHost", "bastion", "target"]);
    expect(diagram.listener.node).toBe("sshHost");
    expect(texts(diagram, "sshHost")).toEqual(["gw", "SSH host", "listens on 0.0.0.0:8080", "needs GatewayPorts in its sshd"]);
    expect(texts(diagram, "bastion")?.some((line) => line.startsWith("listens"))).toBe(false);
    expect(texts(diagram, "target")).toEqual(["10.0.0.7:80", "as seen from the bastion"]);
    expect(diagram.edges[0]?.label.text).toBe("connect to gw, port 8080");
    expect(diagram.edges.map((edge) => edge.viaSsh)).toEqual([false, true, false]);
    expect(diagram.sentence).toBe("Connections to 0.0.0.0:8080 on gw come back through the bastion to 10.0.0.7:80 as seen from the bastion.");
    expect(diagram.reach).toBe(
      "Whoever can reach gw from an allowed source can connect; list them, since Warren cannot tell your address. That needs GatewayPorts clientspecified in gw's sshd (yes works too, but makes its loopback binds public as well); otherwise it listens on 127.0.0.1 only.",
    );
  });

  it("draws a remote tunnel to the person's computer: the gateway opens the port, warren expose ends it", () => {
    const diagram = tunnelDiagram({ ...remote, target: { client: true } });
    expect(order(diagram)).toEqual(["client", "sshHost", "bastion", "target"]);
    expect(diagram.listener.node).toBe("sshHost");
    expect(texts(diagram, "target")).toEqual(["your computer", "warren expose hands it on"]);
    expect(diagram.edges.map((edge) => edge.label.text).at(-1)).toBe("over HTTPS to warren expose");
    expect(diagram.sentence).toBe(
      "Connections to 0.0.0.0:8080 on gw come back through the bastion and over Warren's HTTPS port to your computer, where warren expose hands each to the service it points at.",
    );
  });

  it("says a loopback remote listener serves only the SSH host itself, with no GatewayPorts note", () => {
    const diagram = tunnelDiagram({ ...remote, listen: { address: "127.0.0.1", port: 8080 } });
    expect(texts(diagram, "client")).toEqual(["clients", "programs on gw itself"]);
    expect(texts(diagram, "sshHost")).toEqual(["gw", "SSH host", "listens on 127.0.0.1:8080"]);
    expect(diagram.reach).toBe("Only programs on gw itself can connect to 127.0.0.1.");
  });

  it("draws a dynamic tunnel as a SOCKS5 proxy to any destination", () => {
    const diagram = tunnelDiagram(dynamic);
    expect(diagram.listener.node).toBe("bastion");
    expect(texts(diagram, "bastion")).toEqual(["bastion", "Warren", "listens on 127.0.0.1:20002", "as a SOCKS5 proxy"]);
    expect(texts(diagram, "target")).toEqual(["any destination", "each one as seen from db-1"]);
    expect(diagram.sentence).toContain("SOCKS5 connections to 127.0.0.1:20002 on the bastion go out through db-1");
  });

  it("redraws a half-filled form with placeholders", () => {
    const diagram = tunnelDiagram({ kind: "local", hostName: null, listen: { address: "127.0.0.1", port: null }, target: { host: "", port: Number.NaN } });
    expect(texts(diagram, "sshHost")?.[0]).toBe("SSH host");
    expect(texts(diagram, "bastion")).toContain("listens on 127.0.0.1:?");
    expect(diagram.sentence).toBe("Connections to 127.0.0.1:? on the bastion go through the SSH host to ?:? as seen from the SSH host.");
    expect(tunnelDiagram({ ...remote, listen: { address: " ", port: 8080 } }).reach).toBe("Choose the address gw listens on.");
  });

  it("stacks boxes top to bottom with arrows joining them", () => {
    for (const input of [local, remote, dynamic]) {
      const diagram = tunnelDiagram(input);
      diagram.edges.forEach((edge, index) => {
        const from = diagram.nodes[index]!;
        const to = diagram.nodes[index + 1]!;
        expect([edge.from, edge.to]).toEqual([from.id, to.id]);
        expect(edge.y1).toBe(from.y + from.height);
        expect(edge.y2).toBe(to.y);
        expect(edge.y2 - edge.y1).toBeGreaterThan(40);
        expect(edge.label.y).toBeGreaterThan(edge.y1);
        expect(edge.label.y).toBeLessThan(edge.y2);
      });
      for (const node of diagram.nodes) {
        expect(node.x + node.width).toBeLessThanOrEqual(diagram.width);
        for (const line of node.lines) expect(line.y).toBeLessThan(node.y + node.height);
      }
      const last = diagram.nodes.at(-1)!;
      expect(diagram.height).toBeGreaterThan(last.y + last.height);
      const listener = diagram.nodes.find((node) => node.id === diagram.listener.node)!;
      expect(diagram.listener.badge.x + diagram.listener.badge.width).toBeLessThanOrEqual(listener.x + listener.width);
    }
  });

  it("cuts labels too long for a box but keeps them whole in the sentence", () => {
    const name = "a-very-long-host-name.internal.example.com";
    const diagram = tunnelDiagram({ ...local, hostName: name });
    const title = texts(diagram, "sshHost")?.[0] ?? "";
    expect(title.length).toBeLessThanOrEqual(30);
    expect(title.endsWith("…")).toBe(true);
    expect(diagram.sentence).toContain(`go through ${name} to`);
  });
});

describe("endpointText", () => {
  it("brackets IPv6 and marks what is missing", () => {
    expect(endpointText("::1", 20001)).toBe("[::1]:20001");
    expect(endpointText("", undefined)).toBe("?:?");
    expect(endpointText("0.0.0.0", 8080)).toBe("0.0.0.0:8080");
  });
});
