// Every node on one database must hold the same WARREN_SECRET_KEY (it seals
// the audit chain and encrypts hosts' keys) and AUTH_SECRET (it signs
// sessions). The first node to start seals a MAC of each under itself; a node
// whose keys give other MACs is refused at start, naming the setting, instead
// of failing later to read what the others wrote.
import { ConfigError, type WarrenConfig } from "@/lib/config";
import { clusterKeyMac } from "@/lib/crypto/cluster-key-mac";
import { getPrisma } from "@/lib/db/prisma";

export async function checkClusterKeys({ secretKey, authSecret }: Pick<WarrenConfig, "secretKey" | "authSecret">): Promise<void> {
  const mine = { secretKeyMac: clusterKeyMac(secretKey, "WARREN_SECRET_KEY"), authSecretMac: clusterKeyMac(authSecret, "AUTH_SECRET") };
  const prisma = getPrisma();
  // Two nodes starting at once: one inserts, the other's insert clashes (P2002), and both compare against the first's.
  await prisma.clusterKeys.upsert({ where: { id: 1 }, create: { id: 1, ...mine }, update: {} }).catch((error: { code?: string }) => {
    if (error.code !== "P2002") throw error;
  });
  const sealed = await prisma.clusterKeys.findUniqueOrThrow({ where: { id: 1 } });
  const other = "differs from the one sealed in the database by the first Warren node to start: every node must use the same value";
  if (sealed.secretKeyMac !== mine.secretKeyMac) throw new ConfigError("WARREN_SECRET_KEY", other);
  if (sealed.authSecretMac !== mine.authSecretMac) throw new ConfigError("AUTH_SECRET", other);
}
