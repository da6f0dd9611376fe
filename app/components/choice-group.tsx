/** Radio buttons for one choice among a few, each with a line saying what it means. */
export function ChoiceGroup<T extends string>({
  legend,
  name,
  choices,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  choices: readonly (readonly [value: T, label: string, hint: string])[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-semibold">{legend}</legend>
      {choices.map(([choice, label, hint]) => (
        <label key={choice} className="flex items-start gap-2 text-sm">
          <input type="radio" name={name} value={choice} checked={value === choice} onChange={() => onChange(choice)} className="mt-1" />
          <span>
            <span className="font-medium">{label}</span>
            <span className="block text-zinc-600 dark:text-zinc-400">{hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
