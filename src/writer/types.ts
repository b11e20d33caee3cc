// Shapes the writer exchanges with the engine. Plain TypeScript (no zod): the engine validates
// contacts at its boundary and hands the writer an already-parsed value.
import type { SpamReport } from '../core/spamCheck.ts';

export type WriterChannel = 'email' | 'linkedin' | 'whatsapp' | 'sms' | 'call';

/** Purposes the presets use; a sequence step may name another (written like an intro). */
export type KnownPurpose =
  | 'intro'
  | 'connection_request'
  | 'linkedin_dm'
  | 'followup_1'
  | 'followup_2'
  | 'casual_checkin'
  | 'value_add'
  | 'discovery_call'
  | 'breakup'
  | 'reengage';

export type WriterEnrichment = {
  painPoints?: string[];
  techStack?: string[];
  conversationStarters?: string[];
  industry?: string;
  companySize?: string | number;
  recentNews?: string;
  [key: string]: unknown;
};

export type WriterContact = {
  id: string;
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  firstName?: string;
  lastName?: string;
  title?: string;
  company?: string;
  companyDomain?: string;
  timezone?: string;
  country?: string;
  city?: string;
  tags: string[];
  enrichment: WriterEnrichment;
  custom: Record<string, unknown>;
};

export type WriterSender = {
  fromName?: string;
  fromEmail?: string;
  linkedinFree?: boolean;
};

export type WriterWorkspace = {
  name: string;
  offer?: string;
  postalAddress?: string;
};

export type PreviousMessage = {
  channel: WriterChannel;
  purpose: string;
  subject?: string;
  body: string;
};

export type WriterInput = {
  contact: WriterContact;
  channel: WriterChannel;
  purpose: KnownPurpose | (string & {});
  sender: WriterSender;
  workspace: WriterWorkspace;
  /** What was already sent to this contact, oldest first. */
  previous: PreviousMessage[];
  /** A/B variant index (0, 1, 2 …); each variant leads with a different angle. */
  variant?: number;
  /** Stable per contact and step (e.g. `${contactId}:${stepId}`); drives every phrasing choice. */
  seed: string;
};

export type GuardrailRule = 'empty' | 'length' | 'subject' | 'unresolved' | 'spam' | 'invented_fact' | 'placeholder';

export type GuardrailFailure = { rule: GuardrailRule; message: string; token?: string };

export type GuardrailReport = {
  passed: boolean;
  failures: GuardrailFailure[];
  /** Content score for email; null for other channels. */
  spam: SpamReport | null;
};

export type WrittenMessage = {
  subject?: string;
  body: string;
  /** Paths of the input facts the text relies on, e.g. "enrichment.painPoints[0]", "company". */
  factsUsed: string[];
  checks: GuardrailReport;
};
