// A service on the person's own computer, published through the gateway from
// the form: "a service on my computer" is drawn and sent as such, the tunnel
// page waits for the computer and gives the two lines, and it says so live
// when `warren expose` (the client Warren serves, run with Node) attaches.
import net from "node:net";
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { downloadClient } from "../harness/laptop-client";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

/** What a service on the laptop answers through the gateway's port. */
function ask(port: number, question: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.once("error", () => resolve(answer));
    socket.once("end", () => socket.end());
    socket.once("close", () => resolve(answer));
    socket.once("connect", () => socket.end(question));
  });
}

test("a service on my computer: chosen in the form, waited for on the tunnel page, attached live by warren expose", async ({ page, sshd, warren }) => {
  await warren.createUser({ email: "ada@example.com", password, admin: true });
  const api = apiClient(warren.url, await warren.createToken("ada@example.com"));
  await api.post("/hosts", { name: "gw", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  const service = net.createServer({ allowHalfOpen: true }, (socket) => socket.on("error", () => {}).pipe(socket));
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  const servicePort = (service.address() as net.AddressInfo).port;
  const laptop = await downloadClient(warren.url);
  try {
    await signIn(page, "ada@example.com", password);
    await expect(page).toHaveURL(/\/tunnels$/);
    await page.goto("/tunnels/new");
    await page.getByRole("radio", { name: /Expose my service/ }).check();
    await page.getByRole("radio", { name: /A service on my computer/ }).check();
    await expect(page.getByLabel("Target host", { exact: true })).toHaveCount(0);
    await expect(page.getByTestId("expose-note")).toContainText("run warren expose on your computer");
    await expect(page.getByTestId("tunnel-diagram")).toContainText("your computer");
    const port = await freePortInRange();
    await page.getByLabel("Listen address", { exact: true }).fill("127.0.0.1");
    await page.getByLabel("Listen port", { exact: true }).fill(String(port));
    await expect(page.getByTestId("ssh-command")).toContainText(`-R 127.0.0.1:${port}:localhost:PORT`);
    await page.getByRole("button", { name: "Open tunnel" }).click();

    await expect(page.getByTestId("status-badge").first()).toHaveText("active");
    await expect(page.getByTestId("client-attached")).toContainText("Waiting for your computer");
    const run = await page.getByTestId("connect-command").textContent();
    const tunnelId = /expose (\S+) --to PORT/.exec(run ?? "")?.[1];
    expect(tunnelId, run ?? "").toBeTruthy();
    expect(await ask(port, "nobody home")).toBe("");

    const token = await warren.createToken("ada@example.com");
    const client = laptop.start(["expose", tunnelId!, "--to", String(servicePort), "--url", warren.url, "--token", token]);
    try {
      await expect(page.getByTestId("client-attached")).toContainText("Your computer is attached");
      expect(await ask(port, "hello through the gateway")).toBe("hello through the gateway");
    } finally {
      client.kill("SIGINT");
    }
    await expect(page.getByTestId("client-attached")).toContainText("Waiting for your computer");
  } finally {
    laptop.dispose();
    service.close();
  }
});
