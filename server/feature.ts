/** Something server/index.ts starts beside Next and stops, in reverse order,
 *  when Warren drains: socket.io today, the tunnel engine next. */
export type Feature = { name: string; stop(): Promise<void> };
