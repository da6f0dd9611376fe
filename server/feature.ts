/** Something server/index.ts starts beside Next and stops, in reverse order,
 *  when Warren drains (the tunnel engine, socket.io, the sweeps, audit retention). */
export type Feature = { name: string; stop(): Promise<void> };
