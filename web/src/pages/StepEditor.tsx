// One step of the builder: day, channel, purpose, optional subject, conditions, fallback.
import { Field } from '../ui/Field';
import { CHANNELS, CONDITION_TYPES, PURPOSES, type DraftCondition, type DraftStep } from './sequenceDraft';

export function StepEditor(props: {
  index: number;
  step: DraftStep;
  onChange: (step: DraftStep) => void;
  onRemove: (() => void) | undefined;
}) {
  const { step, index } = props;
  const set = (patch: Partial<DraftStep>) => props.onChange({ ...step, ...patch });
  const setCondition = (i: number, patch: Partial<DraftCondition>) =>
    set({ conditions: step.conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  return (
    <fieldset className="step">
      <legend>Step {index + 1}</legend>
      <div className="grid">
        <Field label="Day">
          <input
            type="number"
            min={0}
            max={365}
            value={step.day}
            onChange={(e) => set({ day: Number(e.target.value) })}
          />
        </Field>
        <Field label="Channel">
          <select value={step.channel} onChange={(e) => set({ channel: e.target.value })}>
            {CHANNELS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <Field label="Purpose">
          <input list="purposes" value={step.template} onChange={(e) => set({ template: e.target.value })} />
        </Field>
        <Field label="Fallback" hint="default, skip, or channels: sms, email">
          <input value={step.fallback} onChange={(e) => set({ fallback: e.target.value })} />
        </Field>
        {step.channel === 'email' ? (
          <Field label="Subject (optional)">
            <input value={step.subject} onChange={(e) => set({ subject: e.target.value })} />
          </Field>
        ) : null}
      </div>
      <datalist id="purposes">
        {PURPOSES.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {step.conditions.map((c, i) => (
        <div key={i} className="condition">
          <Field label={`Condition ${i + 1}`}>
            <select value={c.type} onChange={(e) => setCondition(i, { type: e.target.value })}>
              {CONDITION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </Field>
          {c.type === 'has_field' ? (
            <Field label="Field">
              <input value={c.field} placeholder="phone" onChange={(e) => setCondition(i, { field: e.target.value })} />
            </Field>
          ) : c.type.includes('linkedin') ? null : (
            <Field label="Of step">
              <input
                type="number"
                min={1}
                value={c.step + 1}
                onChange={(e) => setCondition(i, { step: Number(e.target.value) - 1 })}
              />
            </Field>
          )}
          <button
            type="button"
            className="link"
            onClick={() => set({ conditions: step.conditions.filter((_, j) => j !== i) })}
          >
            Remove condition {i + 1}
          </button>
        </div>
      ))}
      <div className="row-actions">
        <button
          type="button"
          onClick={() =>
            set({ conditions: [...step.conditions, { type: 'not_opened', step: Math.max(0, index - 1), field: '' }] })
          }
        >
          Add a condition
        </button>
        {props.onRemove ? (
          <button type="button" className="danger" onClick={props.onRemove}>
            Remove step {index + 1}
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
