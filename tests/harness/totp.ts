import { generate } from "otplib";

/** The code an authenticator app shows for `secret`, `stepsAhead` 30-second steps from now. */
export const totpAt = (secret: string, stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
