// The sequence builder: start from a preset, adjust steps (day, channel, purpose, conditions,
// fallback), the schedule and variants, save. A failed save keeps every edit and shows why.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiFailure, unwrap } from '../api/client';
import { text } from '../api/read';
import { Field } from '../ui/Field';
import { ErrorNote, Loading, PageHeader } from '../ui/kit';
import { draftFromPreset, draftToBody, WEEKDAYS, type Draft, type DraftStep } from './sequenceDraft';
import { StepEditor } from './StepEditor';

export function SequenceBuilderPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const presets = useQuery({
    queryKey: ['presets'],
    queryFn: () => unwrap(api.GET('/v1/sequences/presets')),
  });
  const [presetId, setPresetId] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => unwrap(api.POST('/v1/sequences', { body })),
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: ['sequences'] });
      void client.invalidateQueries({ queryKey: ['home'] });
      void navigate(`/sequences/${created.id}`);
    },
  });
  if (presets.isPending) return <Loading what="presets" />;
  if (presets.isError) return <ErrorNote error={presets.error} what="Could not load presets" />;

  const choose = (id: string) => {
    setPresetId(id);
    const preset = presets.data.data.find((p) => p.id === id);
    if (preset) setDraft(draftFromPreset(preset, text(preset, 'name') ?? id));
  };
  const update = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const setStep = (i: number, step: DraftStep) =>
    setDraft((d) => (d ? { ...d, steps: d.steps.map((s, j) => (j === i ? step : s)) } : d));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft) save.mutate(draftToBody(draft));
  };
  const details = save.error instanceof ApiFailure && Array.isArray(save.error.details) ? save.error.details : [];
  const chosen = presets.data.data.find((p) => p.id === presetId);
  return (
    <>
      <p className="crumbs">
        <Link to="/sequences">Sequences</Link> /
      </p>
      <PageHeader title="New sequence" intro="Start from a preset, then shape it to your list." />
      <fieldset className="presets">
        <legend>Preset</legend>
        {presets.data.data.map((p) => (
          <label key={p.id} className={presetId === p.id ? 'preset chosen' : 'preset'}>
            <input type="radio" name="preset" value={p.id} checked={presetId === p.id} onChange={() => choose(p.id)} />
            <strong>{text(p, 'name')}</strong>
            <span>{text(p, 'description')}</span>
          </label>
        ))}
      </fieldset>
      {chosen ? <p className="reasoning">{text(chosen, 'reasoning')}</p> : null}
      {draft ? (
        <form onSubmit={submit} className="builder">
          <Field label="Name">
            <input required maxLength={120} value={draft.name} onChange={(e) => update({ name: e.target.value })} />
          </Field>
          <h2>Steps</h2>
          <ol className="steps">
            {draft.steps.map((step, i) => (
              <li key={i}>
                <StepEditor
                  index={i}
                  step={step}
                  onChange={(s) => setStep(i, s)}
                  onRemove={
                    draft.steps.length > 1 ? () => update({ steps: draft.steps.filter((_, j) => j !== i) }) : undefined
                  }
                />
              </li>
            ))}
          </ol>
          <button
            type="button"
            onClick={() => {
              const last = draft.steps[draft.steps.length - 1];
              update({
                steps: [
                  ...draft.steps,
                  {
                    day: (last?.day ?? 0) + 3,
                    channel: 'email',
                    template: 'followup_1',
                    subject: '',
                    conditions: [],
                    fallback: 'default',
                  },
                ],
              });
            }}
          >
            Add a step
          </button>
          <h2>Schedule</h2>
          <div className="grid">
            <Field label="Time zone" hint="IANA name; each contact's own zone wins when known">
              <input
                value={draft.schedule.timezone}
                onChange={(e) => update({ schedule: { ...draft.schedule, timezone: e.target.value } })}
              />
            </Field>
            <Field label="From">
              <input
                type="time"
                value={draft.schedule.start}
                onChange={(e) => update({ schedule: { ...draft.schedule, start: e.target.value } })}
              />
            </Field>
            <Field label="Until">
              <input
                type="time"
                value={draft.schedule.end}
                onChange={(e) => update({ schedule: { ...draft.schedule, end: e.target.value } })}
              />
            </Field>
            <Field label="Jitter (seconds)">
              <input
                type="number"
                min={0}
                max={3600}
                value={draft.schedule.jitterSeconds}
                onChange={(e) => update({ schedule: { ...draft.schedule, jitterSeconds: Number(e.target.value) } })}
              />
            </Field>
          </div>
          <fieldset className="days">
            <legend>Sending days</legend>
            {WEEKDAYS.map((d) => (
              <label key={d}>
                <input
                  type="checkbox"
                  checked={draft.schedule.days.includes(d)}
                  onChange={(e) =>
                    update({
                      schedule: {
                        ...draft.schedule,
                        days: e.target.checked
                          ? WEEKDAYS.filter((w) => w === d || draft.schedule.days.includes(w))
                          : draft.schedule.days.filter((x) => x !== d),
                      },
                    })
                  }
                />{' '}
                {d}
              </label>
            ))}
          </fieldset>
          <div className="grid">
            <Field label="Variants" hint="A/B/C: each contact gets one of this many writer variants">
              <input
                type="number"
                min={1}
                max={5}
                value={draft.variants}
                onChange={(e) => update({ variants: Number(e.target.value) })}
              />
            </Field>
            <label className="check">
              <input
                type="checkbox"
                checked={draft.stopOnReply}
                onChange={(e) => update({ stopOnReply: e.target.checked })}
              />{' '}
              Stop when the contact replies
            </label>
          </div>
          <ErrorNote error={save.error} what="Not saved" />
          {details.length > 0 ? (
            <ul className="field-errors">
              {details.map((d, i) => (
                <li key={i}>{typeof d === 'object' && d && 'message' in d ? String(d.message) : String(d)}</li>
              ))}
            </ul>
          ) : null}
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Create sequence'}
          </button>
        </form>
      ) : (
        <p className="muted">Choose a preset above to start.</p>
      )}
    </>
  );
}
