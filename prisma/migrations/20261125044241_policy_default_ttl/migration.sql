-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "username" TEXT NOT NULL,
    "privateKeyEnc" TEXT NOT NULL,
    "passphraseEnc" TEXT,
    "publicKey" TEXT NOT NULL,
    "keyGenerated" BOOLEAN NOT NULL DEFAULT false,
    "hostKeyFingerprint" TEXT,
    "hostKeyStatus" TEXT NOT NULL DEFAULT 'unverified',
    "offeredFingerprint" TEXT,
    "policyKinds" TEXT NOT NULL DEFAULT '["local","remote","dynamic"]',
    "policyTargets" TEXT NOT NULL DEFAULT '[]',
    "policyPorts" TEXT NOT NULL DEFAULT '[]',
    "policyPublicBinds" BOOLEAN NOT NULL DEFAULT false,
    "policyAnySource" BOOLEAN NOT NULL DEFAULT false,
    "policyMaxTtlMinutes" INTEGER NOT NULL DEFAULT 1440,
    "policyDefaultTtlMinutes" INTEGER NOT NULL DEFAULT 60,
    "policyApproval" BOOLEAN NOT NULL DEFAULT false,
    "visibleToAll" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Host" ("address", "createdAt", "hostKeyFingerprint", "hostKeyStatus", "id", "keyGenerated", "name", "offeredFingerprint", "passphraseEnc", "policyAnySource", "policyApproval", "policyKinds", "policyMaxTtlMinutes", "policyPorts", "policyPublicBinds", "policyTargets", "port", "privateKeyEnc", "publicKey", "updatedAt", "username", "visibleToAll") SELECT "address", "createdAt", "hostKeyFingerprint", "hostKeyStatus", "id", "keyGenerated", "name", "offeredFingerprint", "passphraseEnc", "policyAnySource", "policyApproval", "policyKinds", "policyMaxTtlMinutes", "policyPorts", "policyPublicBinds", "policyTargets", "port", "privateKeyEnc", "publicKey", "updatedAt", "username", "visibleToAll" FROM "Host";
DROP TABLE "Host";
ALTER TABLE "new_Host" RENAME TO "Host";
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

