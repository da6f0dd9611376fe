// The tunnel detail page at work: a connection made from the test shows in
// its open connections, is killed from the page (the row goes and the
// client's socket closes), the throughput chart draws with its axes, and a
// tunnel whose target refuses every connection shows degraded, with why.
import net from "node:net";
import { apiClient } from "../harness/api-client";
import { freePort, freePortInRange } from "../harness/free-port";
import { startEchoServer } from "../harness/origin";
import { hostInput } from "../harness/sshd";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

/** A connection through the tunnel's port that has had its echo back. */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("error", reject);
    socket.once("data", () => resolve(socket));
    socket.write("ping");
  });
}

/** A connection through the tunnel's port, until it closes (its target refused it). */
function attempt(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    socket.once("close", () => resolve());
    socket.write("ping");
  });
}

test("a connection is listed live and killed from the page; the chart has axes; a refused target shows degraded", async ({ page, sshd, warren }) => {
  const echo = await startEchoServer();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "ann@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const ann = apiClient(warren.url, await warren.createToken("ann@example.com"));
  const host = (await admin.post<{ id: string }>("/hosts", { name: "lab-1", ...hostInput(sshd) })).body;
  const open = async (targetPort: number) => {
    const created = await ann.post<{ id: string; listen: { port: number } }>("/tunnels", {
      hostId: host.id,
      kind: "local",
      listen: { port: await freePortInRange() },
      target: { host: "127.0.0.1", port: targetPort },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };

  try {
    const tunnel = await open(echo.port);
    await signIn(page, "ann@example.com", password);
    await expect(page).toHaveURL(/\/tunnels$/);
    await page.goto(`/tunnels/${tunnel.id}`);
    await expect(page.getByTestId("tunnel-facts")).toContainText("ann@example.com");
    await expect(page.getByTestId("hop-states")).toContainText("listening on");
    await expect(page.getByRole("heading", { name: "Open connections" })).toBeVisible();

    const socket = await connect(tunnel.listen.port);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const source = `127.0.0.1:${socket.localPort}`;
    const row = page.locator(`[data-testid="live-connections"] tr[data-source="${source}"]`);
    await expect(row).toBeVisible({ timeout: 15_000 });
    await row.getByRole("button", { name: `Kill connection from ${source}` }).click();
    await row.getByRole("button", { name: "Yes, kill it" }).click();
    await expect(row).toHaveCount(0);
    await closed;
    await expect(page.getByText(`Closed the connection from ${source}.`)).toBeVisible();

    // The chart: a canvas, with a time axis and a bytes-per-second axis (drawn on it), and its summary in words.
    const chart = page.getByRole("img", { name: /Throughput over the last 5 minutes/ });
    await expect(chart.locator("canvas")).toHaveCount(1);
    await expect(chart.locator(".u-axis")).toHaveCount(2);
    await expect(page.getByTestId("throughput-summary")).toContainText("received now");

    // Nothing listens on the target's port: after a few refused connections, degraded with the reason.
    const refusing = await open(await freePort());
    await page.goto(`/tunnels/${refusing.id}`);
    await expect(page.getByTestId("status-badge").first()).toHaveText("active");
    for (let i = 0; i < 3; i += 1) await attempt(refusing.listen.port);
    await expect(page.getByTestId("status-badge").first()).toHaveText("degraded", { timeout: 15_000 });
    await expect(page.getByTestId("degraded-reason")).toContainText("refused the connection");
    await expect(page.locator('[data-hop="target"]')).toHaveAttribute("data-state", "down");
    await page.screenshot({ path: test.info().outputPath("degraded.png"), fullPage: true });
  } finally {
    await echo.close();
  }
});
