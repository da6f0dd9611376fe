import { z } from "zod";
import { emailSchema, nameSchema } from "@/lib/validation/users";

export const teamRoleSchema = z.enum(["owner", "member"], { error: "must be owner or member" });

export const createTeamSchema = z.object({
  name: nameSchema,
  /** Its first owner; admins manage every team without being in it. */
  ownerEmail: emailSchema.optional(),
});
export type CreateTeamInput = z.output<typeof createTeamSchema>;

export const updateTeamSchema = z.object({ name: nameSchema });
export type UpdateTeamInput = z.output<typeof updateTeamSchema>;

export const addMemberSchema = z.object({ email: emailSchema, role: teamRoleSchema.default("member") });
export type AddMemberInput = z.output<typeof addMemberSchema>;

export const updateMemberSchema = z.object({ role: teamRoleSchema });
export type UpdateMemberInput = z.output<typeof updateMemberSchema>;
