// A CRM target's settings (stored in outbound_targets.settings, never secret; the token lives
// sealed in `secret`) and the events a CRM target listens to by default.
import { z } from 'zod';
import { CONTACT_STATUSES } from '../../../core/contact.ts';
import type { CrmSettings } from './crmApi.ts';

/** Our contact stages, and the ends of an enrollment, that a stage mapping may name. */
export const STAGE_KEYS = [...CONTACT_STATUSES, 'enrollment.completed', 'enrollment.stopped'] as const;

export const CRM_EVENTS = [
  'contact.handed_off',
  'contact.replied',
  'contact.stage_changed',
  'message.sent',
  'enrollment.completed',
  'enrollment.stopped',
] as const;

const crmId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .regex(/^[\w.:-]+$/, 'must be a CRM id (letters, digits, _ . : -)');

export const CrmSettingsInput = z.strictObject({
  pipeline: crmId.optional(),
  dealStage: crmId.optional(),
  stages: z
    .partialRecord(z.enum(STAGE_KEYS, { error: `stage keys must be one of ${STAGE_KEYS.join(', ')}` }), crmId)
    .optional(),
  stageProperty: z
    .string()
    .trim()
    .regex(/^[\w-]{1,100}$/, 'must be a property name or custom field key')
    .optional(),
});
export type CrmSettingsInput = z.infer<typeof CrmSettingsInput>;

const Stored = CrmSettingsInput.extend({ baseUrl: z.string() });

/** The stored settings, or undefined when they are unreadable (the delivery then fails permanently). */
export function readCrmSettings(settings: Record<string, unknown>): CrmSettings | undefined {
  const parsed = Stored.safeParse(settings);
  if (!parsed.success) return undefined;
  const { stages, ...rest } = parsed.data;
  return { ...rest, ...(stages ? { stages: stages as Record<string, string> } : {}) };
}
