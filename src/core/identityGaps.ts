// Who is writing must be real before anything real goes out: the company name, the offer and the
// postal address of the workspace, and on email the sending account's person name. Until they
// are set, real sends are held with these reasons (the sandbox still shows drafts, with a warning).
// Pure: the engine, the API and the CLI all ask this one function.

/** Names the program gives a workspace nobody named: written nowhere, and a gap until changed. */
export const PLACEHOLDER_WORKSPACE_NAMES: readonly string[] = ['Default workspace', 'My workspace', 'Workspace'];

export type IdentityGap = 'company_name' | 'offer' | 'postal_address' | 'sender_name';

export type IdentityGapReport = { gap: IdentityGap; reason: string };

export function isPlaceholderWorkspaceName(name: string | null | undefined): boolean {
  const clean = (name ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
  return clean.length === 0 || PLACEHOLDER_WORKSPACE_NAMES.some((placeholder) => placeholder.toLowerCase() === clean);
}

const blank = (value: string | null | undefined) => (value ?? '').trim().length === 0;

/**
 * What is missing before a real message may go out on `channel` (omit it for the workspace alone).
 * Email also needs the sending account's name: a message is signed by a person.
 */
export function identityGaps(
  workspace: { name: string | null; offer: string | null; postalAddress: string | null },
  sender?: { fromName: string | null } | null,
  channel?: string,
): IdentityGapReport[] {
  const gaps: IdentityGapReport[] = [];
  if (isPlaceholderWorkspaceName(workspace.name))
    gaps.push({ gap: 'company_name', reason: 'the workspace has no company name (PATCH /v1/workspace {"name"})' });
  if (blank(workspace.offer))
    gaps.push({ gap: 'offer', reason: 'the workspace has no offer: what you sell (PATCH /v1/workspace {"offer"})' });
  if (blank(workspace.postalAddress))
    gaps.push({
      gap: 'postal_address',
      reason: 'the workspace has no postal address for email footers (PATCH /v1/workspace {"postalAddress"})',
    });
  if (sender !== undefined) gaps.push(...senderIdentityGaps(sender, channel));
  return gaps;
}

/** The sending account's own gap: an email account with no person name to sign with. */
export function senderIdentityGaps(sender: { fromName: string | null } | null, channel?: string): IdentityGapReport[] {
  if (channel !== 'email' || !blank(sender?.fromName)) return [];
  return [
    {
      gap: 'sender_name',
      reason: 'the sending account has no person name to sign with (PATCH /v1/senders/:id {"fromName"})',
    },
  ];
}

/** One line for a timeline or a warning: "held until …: a; b". */
export function describeIdentityGaps(gaps: readonly IdentityGapReport[]): string {
  return `real sends are held until the sender's identity is set: ${gaps.map((gap) => gap.reason).join('; ')}`;
}
