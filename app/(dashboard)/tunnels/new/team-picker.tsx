import { controlClass, Field } from "@/app/components/field";
import { fieldId } from "./form-model";

export type TeamOption = { id: string; name: string };

/** "Share with team": none by default; members of the chosen team see the tunnel and may join it. */
export function TeamPicker({ teams, value, error, onChange }: { teams: TeamOption[]; value: string; error?: string; onChange: (teamId: string) => void }) {
  if (teams.length === 0) return null;
  const chosen = teams.find((team) => team.id === value);
  return (
    <Field
      id={fieldId("teamId")}
      label="Share with team"
      error={error}
      hint={
        chosen
          ? `Members of ${chosen.name} see this tunnel live and may join it, which lets their own address connect.`
          : "Only you (and admins) see it. Sharing lets a team's members see it and join it."
      }
    >
      {(control) => (
        <select {...control} name="teamId" value={value} onChange={(event) => onChange(event.target.value)} className={controlClass}>
          <option value="">Not shared</option>
          {teams.map((team) => (
            <option key={team.id} value={team.id}>
              {team.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
