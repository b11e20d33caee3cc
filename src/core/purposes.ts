// The purposes the writer knows. A preview (POST /v1/writer/generate, `quotahit preview`) must name
// one of them: an unknown purpose is rejected with this list. Sequence steps keep accepting
// free-form templates (ARCHITECTURE: "a template is a purpose handed to the writer"); the writer
// writes those like an intro.
import { KNOWN_TEMPLATES, type KnownTemplate } from './channels.ts';

export const WRITER_PURPOSES = KNOWN_TEMPLATES;
export type WriterPurpose = KnownTemplate;

export function isWriterPurpose(purpose: string): purpose is WriterPurpose {
  return WRITER_PURPOSES.some((known) => known === purpose);
}

/** The purpose the composer writes: a known one as is, a free-form sequence template as an intro. */
export function writerPurpose(purpose: string): WriterPurpose {
  return isWriterPurpose(purpose) ? purpose : 'intro';
}

/** "must be one of intro, connection_request, … (got "nope")" */
export function describePurposes(): string {
  return WRITER_PURPOSES.join(', ');
}
