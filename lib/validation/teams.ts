import { z } from "zod";
import { emailSchema, nameSchema } from "@/lib/validation/users";

export const teamRoleSchema = z.enum(["owner", "member"], { error: "must be owner or member" });

export const createTeamSchema = z.object({
  name: nameSchema,
  /** Its first owner; admins manage every team without being in it. */
  ownerEmail: emailSchema.optional(),
});
export type CreateTeamInput = z.output<typeof createTeamSchema>;

/** An identity provider's group name, as its groups claim lists it. */
export const idpGroupSchema = z.string().trim().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" });

export const idpGroupsSchema = z
  .array(idpGroupSchema, { error: "must be a list of group names" })
  .max(50, { error: "must name at most 50 groups" })
  .transform((groups) => [...new Set(groups)]);

/** A rename, the identity-provider groups whose members are its members (admins only), or both. */
export const updateTeamSchema = z
  .object({ name: nameSchema.optional(), idpGroups: idpGroupsSchema.optional() })
  .refine((changes) => changes.name !== undefined || changes.idpGroups !== undefined, { error: "name a change: name or idpGroups" });
export type UpdateTeamInput = z.output<typeof updateTeamSchema>;

export const addMemberSchema = z.object({ email: emailSchema, role: teamRoleSchema.default("member") });
export type AddMemberInput = z.output<typeof addMemberSchema>;

export const updateMemberSchema = z.object({ role: teamRoleSchema });
export type UpdateMemberInput = z.output<typeof updateMemberSchema>;
