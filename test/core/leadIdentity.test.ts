// Issue 18, points 2 and 5: placeholder leads are recognised (and skipped with a reason), and real
// sends wait until the workspace says who is writing.
import { describe, expect, it } from 'vitest';
import { identityGaps, isPlaceholderWorkspaceName } from '../../src/core/identityGaps.ts';
import { placeholderReason, placeholderReasons } from '../../src/core/leadQuality.ts';
import { identityHold } from '../../src/engine/steps/identityHold.ts';

describe('placeholder leads', () => {
  it.each([
    [{ email: 'test@acme.io', firstName: 'Test', lastName: 'User' }, /name "Test User" looks like test data/],
    [{ email: 'jd@acme.io', firstName: 'John', lastName: 'Doe' }, /looks like test data/],
    [{ email: 'asdf@acme.io', firstName: 'asdf' }, /test data/],
    [{ email: 'ana@acme.io', firstName: 'Ana', company: 'N/A' }, /company "N\/A" is a placeholder/],
    [{ email: 'ana@acme.io', firstName: 'Ana', company: 'Test Company' }, /placeholder/],
    [{ email: 'test@example.com', firstName: 'Ana' }, /email domain example\.com is reserved for examples/],
    [{ email: 'ana@example.com', firstName: 'Test', lastName: 'User' }, /test data; the email domain example\.com/],
    [{ email: 'ana@shop.test', firstName: 'Ana' }, /shop\.test is reserved for tests/],
    [{ email: 'foo@acme.io' }, /address foo@acme\.io looks like test data/],
  ])('%j is flagged', (lead, reason) => {
    expect(placeholderReason(lead)).toMatch(reason);
  });

  it.each([
    [{ email: 'dana@northwind.io', firstName: 'Dana', lastName: 'Kim', company: 'Northwind Logistics' }],
    [{ email: 'na@acme.io', firstName: 'Min-jun', lastName: 'Na', company: 'Acme' }],
    [{ email: 'bartosz@bar.pl', firstName: 'Bartosz', company: 'Bar Mleczny' }],
    [{ phone: '+14155550123', firstName: 'Ana' }],
    // The documentation's own domain with a real-looking person: not enough on its own.
    [{ email: 'ana.lopez@example.com', firstName: 'Ana', lastName: 'López' }],
  ])('%j looks real', (lead) => {
    expect(placeholderReasons(lead)).toEqual([]);
  });
});

describe('identity gaps', () => {
  const complete = { name: 'Northbeam', offer: 'We reconcile invoices.', postalAddress: '1 Main St, Springfield' };

  it('names every gap with how to fill it', () => {
    expect(
      identityGaps({ name: 'Default workspace', offer: null, postalAddress: ' ' }, { fromName: null }, 'email').map(
        (g) => g.gap,
      ),
    ).toEqual(['company_name', 'offer', 'postal_address', 'sender_name']);
    expect(identityGaps(complete, { fromName: 'Sam Rivera' }, 'email')).toEqual([]);
    expect(identityGaps(complete, { fromName: null }, 'sms')).toEqual([]);
    expect(identityGaps(complete, { fromName: null }, 'email')[0]?.reason).toMatch(/no person name to sign with/);
  });

  it('treats the first-run name as unset', () => {
    expect(isPlaceholderWorkspaceName('Default workspace')).toBe(true);
    expect(isPlaceholderWorkspaceName('  default   WORKSPACE ')).toBe(true);
    expect(isPlaceholderWorkspaceName('')).toBe(true);
    expect(isPlaceholderWorkspaceName('Northbeam')).toBe(false);
  });

  it('holds real sends (deferred, never skipped) and never the sandbox', () => {
    const now = new Date('2026-03-02T09:00:00Z');
    const empty = { name: 'Default workspace', offer: null, postalAddress: null };
    const held = identityHold({
      channel: 'email',
      sender: { provider: 'smtp', fromName: 'Sam' },
      workspace: empty,
      now,
    });
    expect(held).toMatchObject({
      kind: 'defer',
      reason: expect.stringMatching(/^real sends are held until .*company name.*offer/),
    });
    expect(held?.senderId).toBeNull();
    // An email account with no person name holds its real sends too, keyed by the account (its release).
    const unsigned = {
      channel: 'email',
      sender: { id: 'sender-1', provider: 'smtp', fromName: ' ' },
      workspace: complete,
      now,
    };
    expect(identityHold(unsigned)).toMatchObject({
      reason: expect.stringMatching(/no person name to sign with.*PATCH \/v1\/senders\/:id \{"fromName"\}/),
      senderId: 'sender-1',
    });
    expect(identityHold({ ...unsigned, enforce: ['company_name', 'offer'] })).toBeUndefined();
    expect(identityHold({ ...unsigned, sender: { provider: 'smtp', fromName: 'Sam Rivera' } })).toBeUndefined();
    expect(held?.until.getTime()).toBe(now.getTime() + 3_600_000);
    expect(
      identityHold({ channel: 'email', sender: { provider: 'sandbox', fromName: null }, workspace: empty, now }),
    ).toBeUndefined();
    expect(identityHold({ channel: 'email', sender: null, workspace: empty, now })).toBeUndefined();
    expect(
      identityHold({ channel: 'sms', sender: { provider: 'twilio', fromName: null }, workspace: complete, now }),
    ).toBeUndefined();
  });
});
