// Who a hand-off goes to, as data: the workspace's rule over its members, the contact's tags and
// the round-robin turn. No member at all (an installation used only through the API) leaves it
// unassigned: it still shows in GET /v1/handoffs and reaches the notification targets.

export type HandoffRule = 'owner' | 'round_robin' | 'territory';
export type Territory = { tag: string; memberId: string };
export type Assignable = { id: string; email: string; name: string; role: 'owner' | 'member' };

/** The member the rule names, or 'turn': the next member in round-robin order (the caller holds the counter). */
export function chooseAssignee(input: {
  rule: HandoffRule;
  territories: readonly Territory[];
  members: readonly Assignable[];
  contactTags: readonly string[];
  /** The sequence's owner, when the sequence names one. */
  sequenceOwnerId?: string | null;
}): Assignable | 'turn' | undefined {
  const { members } = input;
  if (members.length === 0) return undefined;
  const byId = (id: string | null | undefined) => members.find((m) => m.id === id);
  if (input.rule === 'owner')
    return byId(input.sequenceOwnerId) ?? members.find((m) => m.role === 'owner') ?? members[0];
  if (input.rule === 'territory') {
    const tags = new Set(input.contactTags.map((t) => t.toLowerCase()));
    const match = input.territories.find((t) => tags.has(t.tag.toLowerCase()) && byId(t.memberId));
    if (match) return byId(match.memberId);
  }
  return 'turn';
}
