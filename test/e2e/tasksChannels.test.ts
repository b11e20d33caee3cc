// The dashboard beyond email, in a real browser against the real server: replies on WhatsApp, SMS
// and LinkedIn in the one inbox (filtered by channel) and answered on their own channel; the Tasks
// view's call task (talk track, click-to-call through the local Twilio fake, the outcome) and its
// hand-offs (summary, assignee, SLA, acknowledge); the Accounts page's limits (changed there, a
// refused change kept), status reasons and the provider's own sending limit; an SMS account added
// there (a refused one kept, the webhook URL to set shown) beside the WhatsApp, call and LinkedIn forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { setSenderLimit, setSenderStatus } from '../../src/db/senders.ts';
import { FakeTwilio } from '../fakes/twilio.ts';
import { ALWAYS_OPEN } from '../support/world.ts';
import { checkAccessibility, launch, openPage, screenshot, signUp, startSite, type Site } from './support.ts';

const NUMBER = '+15005550006';
const REP = '+14155550999';
const OWNER = { name: 'Olga Owner', email: 'olga@acme.example.com', password: 'correct horse battery' };
const ANA = {
  email: 'ana@acme.example.com',
  phone: '+14155550123',
  linkedinUrl: 'https://www.linkedin.com/in/ana-silva',
  firstName: 'Ana',
  lastName: 'Silva',
  company: 'Acme',
  title: 'VP Sales',
  smsOptIn: true,
  whatsappOptIn: true,
  timezone: 'UTC',
};

let site: Site;
let browser: Browser;
let twilio: FakeTwilio;

beforeAll(async () => {
  site = await startSite();
  browser = await launch();
  twilio = await new FakeTwilio().start();
}, 180_000);
afterAll(() => twilio.close());

async function view(page: Page, nav: string, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: nav }).waitFor();
  await checkAccessibility(page, name);
}

/** Ana, reached on every channel the same day in the sandbox, and the call account on Twilio. */
async function campaign(apiKey: string) {
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await site.api(apiKey, method, url, payload);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as Record<string, unknown> & { data: Record<string, unknown>[] };
  };
  const account = twilio.account();
  const callAccount = await call('POST', '/v1/senders', {
    channel: 'call',
    provider: 'twilio',
    name: 'Calls',
    fromPhone: NUMBER,
    credentials: { ...account, baseUrl: twilio.url },
  });
  await call('POST', '/v1/contacts', { contacts: [ANA] });
  const sequence = await call('POST', '/v1/sequences', {
    name: 'Every channel',
    steps: [
      { day: 0, channel: 'whatsapp', template: 'intro' },
      { day: 0, channel: 'sms', template: 'intro' },
      { day: 0, channel: 'linkedin', template: 'connection_request' },
      { day: 0, channel: 'call', template: 'discovery_call' },
    ],
    schedule: ALWAYS_OPEN,
    callOwner: { phone: REP, name: 'Riley' },
  });
  const contactId = String((await call('GET', '/v1/contacts')).data[0]?.id);
  await call('POST', `/v1/sequences/${String(sequence.id)}/enrollments`, { contactIds: [contactId] });
  for (let i = 0; i < 6; i++) await site.tick('');
  const messages = (await call('GET', '/v1/messages?limit=50')).data;
  expect(messages.map((m) => m.channel).sort()).toEqual(['linkedin', 'sms', 'whatsapp']);
  const said = { whatsapp: 'Sounds good, send me the deck', sms: 'Interested — call me', linkedin: 'Happy to connect' };
  for (const m of messages)
    await call('POST', `/v1/messages/${String(m.id)}/replies`, { body: said[m.channel as keyof typeof said] });
  return { account, callAccountId: String(callAccount.id), contactId };
}

describe('the dashboard on every channel', () => {
  it('one inbox for WhatsApp, SMS and LinkedIn answered on their channel; call tasks and hand-offs; account limits', async () => {
    const ws = await site.workspace('Every channel');
    const { page, clean } = await openPage(browser, site);
    // The owner first: hand-offs are assigned to a member.
    await signUp(page, ws.setupUrl, OWNER);
    const { account, callAccountId } = await campaign(ws.apiKey);

    // Inbox: every channel in one list; the filter narrows it; each answer goes out on its channel.
    await view(page, 'Inbox', 'inbox (channels)');
    const replies = page.getByRole('list', { name: 'Replies' }).getByRole('button');
    await expect.poll(() => replies.count()).toBe(3);
    const metas = await page.locator('.reply-meta').allTextContents();
    for (const channel of ['WhatsApp', 'SMS', 'LinkedIn'])
      expect(metas.filter((m) => m.startsWith(`${channel} ·`))).toHaveLength(1);
    await page.getByLabel('Channel').selectOption('whatsapp');
    await expect
      .poll(() => page.locator('.reply-meta').allTextContents())
      .toEqual([expect.stringMatching(/^WhatsApp ·/)]);
    await replies.first().click();
    const conversation = page.getByRole('article', { name: 'Conversation' });
    await conversation.getByText('Sounds good, send me the deck').waitFor();
    await page.getByLabel('Your answer').fill('Here it is: acme.example.com/deck');
    await page.getByRole('button', { name: 'Send answer by WhatsApp' }).click();
    await conversation.getByText('You answered').waitFor();
    await conversation.getByText('Here it is: acme.example.com/deck').waitFor();
    await page.getByLabel('Channel').selectOption('sms');
    await replies.first().click();
    await conversation.getByText('Interested — call me').waitFor();
    await page.getByLabel('Your answer').fill('Calling you in five minutes.');
    await page.getByRole('button', { name: 'Send answer by SMS' }).click();
    await conversation.getByText('Calling you in five minutes.').waitFor();
    await page.getByRole('button', { name: 'Mark interested → hand off' }).click();
    await page.getByText(/Handed off on/).waitFor();
    await checkAccessibility(page, 'inbox (sms answered)');
    await screenshot(page, 'inbox-channels');

    // Home counts the call due today.
    await page.reload(); // the campaign was made through the API after Home was first read
    await view(page, 'Home', 'home (a call due)');
    await page.locator('.stat').filter({ hasText: 'tasks due' }).getByRole('link', { name: '1' }).waitFor();

    // Tasks: the call task with its talk track, click-to-call through Twilio, the outcome.
    await view(page, 'Tasks', 'tasks (calls and hand-offs)');
    const task = page.getByRole('article', { name: 'Call task: Ana Silva' });
    await task.getByText('Opener:').waitFor();
    expect(await task.getByLabel('Your phone').inputValue()).toBe(REP);
    await task.getByRole('button', { name: `Click to call ${ANA.phone}` }).click();
    await task.getByText('Calling: your phone rings first, then Ana Silva.').waitFor();
    expect(twilio.calls.filter((c) => c.accountSid === account.accountSid)).toMatchObject([{ to: REP, from: NUMBER }]);
    // The hand-off from the inbox: what she said, who has it, the SLA.
    const fromReply = page
      .getByRole('article', { name: 'Hand-off: Ana Silva' })
      .filter({ hasText: 'Interested — call me' });
    await fromReply.waitFor();
    await fromReply.getByText(OWNER.name).waitFor();
    await fromReply.getByText(/^answer by /).waitFor();
    await screenshot(page, 'tasks-calls');
    await task.getByLabel('Call outcome').selectOption('connected_interested');
    await task.getByLabel('Call note').fill('Demo on Thursday');
    await task.getByRole('button', { name: 'Log outcome' }).click();
    await page.getByText('No call to make').waitFor();
    // The call that went well is a hand-off of its own. Each one acknowledged leaves the open list.
    const handoffs = page.getByRole('article', { name: 'Hand-off: Ana Silva' });
    await handoffs.filter({ hasText: /· call ·/ }).waitFor();
    const total = await handoffs.count();
    const acknowledge = page.getByRole('button', { name: 'Acknowledge' });
    for (let left = total; left > 0; left--) {
      await acknowledge.first().click();
      await expect.poll(() => handoffs.count()).toBe(left - 1);
    }
    await page.getByText('No open hand-off').waitFor();
    await page.getByLabel('Only open ones').uncheck();
    await page.getByRole('article', { name: 'Call task: Ana Silva' }).getByText('Demo on Thursday').waitFor();
    await expect.poll(() => handoffs.count()).toBe(total);
    expect(await handoffs.getByText(/^acknowledged /).count()).toBe(total);
    await checkAccessibility(page, 'tasks (all)');

    // Accounts: a paused WhatsApp account with its reason, the provider's sending limit, caps changed.
    const wa = (
      await site.api(ws.apiKey, 'POST', '/v1/senders', {
        channel: 'whatsapp',
        provider: 'sandbox',
        name: 'WhatsApp line',
        fromPhone: NUMBER,
      })
    ).json() as { id: string };
    await site.db.tenant(ws.workspaceId, async (sql) => {
      await setSenderStatus(sql, wa.id, 'paused', 'the WhatsApp number was flagged by Meta');
      await setSenderLimit(sql, callAccountId, new Date(site.clock.now().getTime() + 3_600_000), 'daily call quota');
    });
    await view(page, 'Accounts', 'accounts (channels)');
    const waRow = page.getByRole('row', { name: /WhatsApp line/ });
    await waRow.getByText('the WhatsApp number was flagged by Meta').waitFor();
    const callRow = page.getByRole('row', { name: /Calls/ });
    await callRow.getByText(/^sending limit reached until /).waitFor();
    await callRow.getByText('daily call quota').waitFor();
    await callRow.getByRole('button', { name: 'Change limits of Calls' }).click();
    const form = page.getByRole('form', { name: 'Limits of Calls' });
    await form.getByLabel('Per day').fill('200000');
    await form.getByRole('button', { name: 'Save limits' }).click();
    await form
      .getByRole('alert')
      .getByText(/dailyLimit/)
      .waitFor();
    expect(await form.getByLabel('Per day').inputValue()).toBe('200000');
    await form.getByLabel('Per day').fill('40');
    await form.getByLabel('Per hour').fill('8');
    await form.getByRole('button', { name: 'Save limits' }).click();
    await callRow.getByText('8 / hour').waitFor();
    expect(await callRow.getByRole('cell').nth(4).textContent()).toMatch(/^40/);
    await checkAccessibility(page, 'accounts (limits)');
    await screenshot(page, 'accounts-channels');

    // Accounts: an SMS account added from the page; a refused one keeps what was typed; the webhook URL shown.
    for (const title of ['WhatsApp (Meta)', 'WhatsApp (Gallabox)', 'Calls (Twilio)', 'LinkedIn (Phantombuster)'])
      await page.getByRole('button', { name: `Add ${title}` }).waitFor();
    await page.getByRole('button', { name: 'Add LinkedIn (Phantombuster)' }).click();
    const linkedin = page.getByRole('form', { name: 'Add a LinkedIn (Phantombuster) account' });
    expect(await linkedin.getByLabel('LinkedIn session cookie (li_at)').getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Add SMS (Twilio)' }).click();
    const sms = page.getByRole('form', { name: 'Add a SMS (Twilio) account' });
    await sms.getByLabel('Account name').fill('Texts');
    await sms.getByLabel('From phone').fill('+15005550007');
    await sms.getByLabel('Account SID').fill('AC-not-a-sid');
    await sms.getByLabel('Auth token').fill(account.authToken);
    expect(await sms.getByLabel('Auth token').getAttribute('type')).toBe('password');
    await sms.getByLabel('API base URL (optional)').fill(twilio.url);
    await sms.getByRole('button', { name: 'Save account' }).click();
    await sms
      .getByRole('alert')
      .getByText(/must be the AC… Account SID/)
      .waitFor();
    expect(await sms.getByLabel('From phone').inputValue()).toBe('+15005550007');
    expect(await sms.getByLabel('Auth token').inputValue()).toBe(account.authToken);
    await screenshot(page, 'accounts-add-sms');
    await sms.getByLabel('Account SID').fill(account.accountSid);
    await sms.getByRole('button', { name: 'Save account' }).click();
    const added = page.getByRole('region', { name: 'SMS (Twilio) account added' });
    // The engine's public URL (the world's), where Twilio posts status callbacks and inbound texts.
    expect(await added.locator('code.webhook-url').textContent()).toMatch(/^https?:\/\/[^/]+\/webhooks\/twilio$/);
    await page.getByRole('row', { name: /Texts/ }).waitFor();
    await checkAccessibility(page, 'accounts (SMS added)');
    expect(await page.content()).not.toContain(account.authToken);
    await added.getByRole('button', { name: 'Done' }).click();
    clean([`PATCH /v1/senders/${callAccountId} 400`, 'POST /v1/senders 400']);
  });
});
