// The one-time code that carries a signed-in person from Warren's origin to a
// web tunnel's app host (as Teleport's RFD 103): issued on Warren after its
// session and the person's access are checked, redeemed once on the app host
// within a minute, only there (its tunnel), and only by the browser whose
// state cookie it was issued for.
import { createHash, randomBytes } from "node:crypto";
import { getPrisma } from "@/lib/db/prisma";

const CODE_TTL_MS = 60_000;

export const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");
export const randomToken = () => randomBytes(32).toString("base64url");

export async function issueHandoff(input: { tunnelId: string; userId: string; state: string; returnPath: string }): Promise<string> {
  const code = randomToken();
  const prisma = getPrisma();
  await prisma.appHandoff.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await prisma.appHandoff.create({
    data: {
      codeHash: sha256(code),
      tunnelId: input.tunnelId,
      userId: input.userId,
      stateHash: sha256(input.state),
      returnPath: input.returnPath,
      expiresAt: new Date(Date.now() + CODE_TTL_MS),
    },
  });
  return code;
}

/** Spends `code` (whatever the outcome): who it was issued to and where they were going, or why it does not count here. */
export async function redeemHandoff(input: {
  code: string;
  state: string;
  tunnelId: string;
}): Promise<{ userId: string; returnPath: string } | { refused: string }> {
  const codeHash = sha256(input.code);
  const handoff = await getPrisma().$transaction(async (tx) => {
    const found = await tx.appHandoff.findUnique({ where: { codeHash } });
    if (found) await tx.appHandoff.delete({ where: { codeHash } });
    return found;
  });
  if (!handoff) return { refused: "this sign-in link was already used or never issued" };
  if (handoff.expiresAt.getTime() <= Date.now()) return { refused: "this sign-in link has expired" };
  if (handoff.tunnelId !== input.tunnelId) return { refused: "this sign-in link was issued for another app" };
  if (handoff.stateHash !== sha256(input.state)) return { refused: "this sign-in link was issued to another browser" };
  return { userId: handoff.userId, returnPath: handoff.returnPath };
}
