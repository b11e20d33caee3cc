// The outcome form of a call task and of a hand-off: pick an outcome, add a note, save. Fields that
// only some outcomes take (a call-back date, "no SMS either") come from `extra`.
import { useState, type FormEvent, type ReactNode } from 'react';
import { label as labelOf } from '../api/read';
import { Field } from './Field';

export function OutcomeForm<O extends string>(props: {
  outcomes: readonly O[];
  initial: O;
  label: string;
  noteLabel: string;
  submit: string;
  pending: boolean;
  extra?: (chosen: O) => ReactNode;
  onSave: (input: { outcome: O; note: string }) => void;
}) {
  const { outcomes } = props;
  const [chosen, setChosen] = useState<O>(props.initial);
  const [note, setNote] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    props.onSave({ outcome: chosen, note });
  };
  return (
    <form onSubmit={onSubmit} className="row">
      <Field label={props.label}>
        <select value={chosen} onChange={(e) => setChosen(outcomes.find((o) => o === e.target.value) ?? chosen)}>
          {outcomes.map((o) => (
            <option key={o} value={o}>
              {labelOf(o)}
            </option>
          ))}
        </select>
      </Field>
      {props.extra?.(chosen)}
      <Field label={props.noteLabel}>
        <input value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      <button type="submit" className="primary" disabled={props.pending}>
        {props.submit}
      </button>
    </form>
  );
}
