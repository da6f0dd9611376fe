// Puts a listener in front of every listener an HTTP server's "request" or
// "upgrade" event has now (socket.io wraps Next's the same way): what it
// claims, they never see, unless it hands it on to them with `pass` (after
// an answer it had to wait for, say).
import type { Server } from "node:http";

type Listener = (...args: never[]) => void;

export function claimFirst(server: Server, event: "request" | "upgrade", claim: (args: unknown[], pass: () => void) => boolean) {
  const others = server.listeners(event) as Listener[];
  server.removeAllListeners(event);
  server.on(event, (...args: unknown[]) => {
    const pass = () => {
      for (const listener of others) listener.apply(server, args as never[]);
    };
    if (!claim(args, pass)) pass();
  });
}
