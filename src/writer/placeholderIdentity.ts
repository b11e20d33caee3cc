// "No placeholder identity": a message never names a workspace nobody named ("Default workspace")
// and is never signed "The … team". Checked on every draft, the model's included.
import { isPlaceholderWorkspaceName, PLACEHOLDER_WORKSPACE_NAMES } from '../core/identityGaps.ts';
import type { WriterWorkspace } from './types.ts';

/** The placeholder phrases found in a text (empty when there are none). */
export function placeholderIdentity(text: string, workspace: WriterWorkspace): string[] {
  const found: string[] = [];
  const names = [
    ...PLACEHOLDER_WORKSPACE_NAMES.filter((name) => name.includes(' ')),
    ...(isPlaceholderWorkspaceName(workspace.name) && workspace.name.trim().length > 0 ? [workspace.name.trim()] : []),
  ];
  for (const name of new Set(names)) {
    const match = new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').exec(text);
    if (match !== null) found.push(match[0]);
  }
  // A sign-off line "The Acme team" / "- The team": first-person copy signed by nobody.
  const signed = /^[-–—\s]*the(?: [\p{L}\p{N}&.'-]+){0,4} team[.!]?\s*$/imu.exec(text);
  if (signed !== null) found.push(signed[0].trim());
  return found;
}
