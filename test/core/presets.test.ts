import { describe, expect, it } from 'vitest';
import { PRESETS, PRESET_IDS, isPresetId, presetToSequence } from '../../src/core/presets.ts';
import { validateSequence } from '../../src/core/sequence.ts';

describe('presets', () => {
  it('standard_b2b is exactly the spec sequence', () => {
    expect(PRESETS.standard_b2b.steps).toEqual([
      { day: 0, channel: 'email', template: 'intro' },
      { day: 2, channel: 'linkedin', template: 'connection_request' },
      { day: 5, channel: 'email', template: 'followup_1' },
      { day: 7, channel: 'whatsapp', template: 'casual_checkin' },
      { day: 10, channel: 'email', template: 'value_add' },
      { day: 14, channel: 'call', template: 'discovery_call' },
      { day: 21, channel: 'email', template: 'breakup' },
    ]);
    expect(PRESETS.standard_b2b.fallback.whatsapp).toEqual(['sms', 'email']);
  });

  it('lists every preset once, keyed by its id', () => {
    expect(Object.keys(PRESETS)).toEqual([...PRESET_IDS]);
    for (const id of PRESET_IDS) expect(PRESETS[id].id).toBe(id);
  });

  it.each(PRESET_IDS)('%s is a valid, documented sequence', (id) => {
    const preset = PRESETS[id];
    const result = validateSequence({
      name: preset.name,
      steps: preset.steps,
      schedule: preset.schedule,
      fallback: preset.fallback,
    });
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(preset.description.length).toBeGreaterThan(20);
    expect(preset.reasoning.length).toBeGreaterThan(150);
  });

  it('presetToSequence applies defaults and an optional name', () => {
    const sequence = presetToSequence('nurture', 'Q3 nurture');
    expect(sequence.name).toBe('Q3 nurture');
    expect(sequence.stopOnReply).toBe(true);
    expect(sequence.schedule.days).toEqual(['tue', 'wed', 'thu']);
    expect(presetToSequence('aggressive').name).toBe(PRESETS.aggressive.name);
  });

  it('isPresetId', () => {
    expect(isPresetId('standard_b2b')).toBe(true);
    expect(isPresetId('toString')).toBe(false);
  });
});
