/** A labelled text area for free text, with no rule to answer under it. */
export function TextAreaField({
  id,
  label,
  rows,
  value,
  onValue,
}: {
  id: string;
  label: string;
  rows: number;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={rows} value={value} onChange={(event) => onValue(event.target.value)} />
    </div>
  );
}
