// The dashboard in a real browser (Debian's chromium) against the real server on real PostgreSQL:
// a whole campaign without curl — first-run link, sign-in, CSV import with a bad row, a sequence
// from a preset, simulate, enroll, the sandboxed message, a logged reply in the inbox answered, hand-off,
// analytics, an SMTP account, an API key revoked — with axe-core on every view, a phone-width
// pass, and one member never reading another workspace.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkAccessibility, launch, openPage, screenshot, startSite, type Site } from './support.ts';

const PASSWORD = 'correct horse battery';
const CSV = [
  'email,firstName,lastName,company,title,tags,enrichment.painPoints',
  'ana@acme.example.com,Ana,Silva,Acme,VP Sales,spring,manual reporting',
  'not-an-email,Bad,Row,Nowhere,,spring,',
  'ben@beta.example.com,Ben,Okafor,Beta,Head of Ops,spring;warm,slow onboarding',
].join('\n');

let site: Site;
let browser: Browser;

beforeAll(async () => {
  site = await startSite();
  browser = await launch();
}, 180_000);

async function view(page: Page, nav: string, heading: string, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await checkAccessibility(page, name);
  await screenshot(page, name);
}

describe('a whole campaign from the dashboard', () => {
  it('first-run link → sign-in → import → sequence → simulate → enroll → message → reply → hand-off → analytics → accounts → keys', async () => {
    const ws = await site.workspace('Acme Outbound');
    const { page, clean } = await openPage(browser, site);
    page.on('dialog', (dialog) => void dialog.accept());

    // First run: the printed link sets the owner's password and signs in.
    await page.goto(ws.setupUrl);
    await page.getByRole('heading', { name: "Set the owner's password" }).waitFor();
    await checkAccessibility(page, 'setup');
    await screenshot(page, 'setup');
    await page.getByLabel('Your name').fill('Olga Owner');
    await page.getByLabel('Email').fill('olga@acme.example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    expect(await nav.allTextContents()).toEqual([
      'Home',
      'Contacts',
      'Sequences',
      'Inbox',
      'Tasks',
      'Analytics',
      'Accounts',
      'Settings',
    ]);

    // Sign out, then sign in with the keyboard only.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to QuotaHit' }).waitFor();
    await checkAccessibility(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill('olga@acme.example.com');
    await page.getByLabel('Password').fill('wrong password!');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong email or password');
    await page.getByLabel('Password').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.getByText('Import your contacts').waitFor();
    await checkAccessibility(page, 'home (empty)');

    // Contacts: CSV import with a bad row.
    await view(page, 'Contacts', 'Contacts', 'contacts-empty');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const result = page.locator('.import-result');
    await result.locator('p').waitFor();
    expect(await result.locator('p').textContent()).toBe('2 created, 0 updated, 0 unchanged, 1 rejected.');
    const rejected = result.getByRole('row').nth(1);
    expect(await rejected.getByRole('cell').first().textContent()).toBe('3');
    expect(await rejected.getByRole('cell').nth(1).textContent()).toContain('email');
    await page.getByRole('link', { name: 'Ana Silva' }).waitFor();
    await page.getByLabel('Reachable on').selectOption('email');
    await page.getByLabel('Search').fill('beta');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('table').getByRole('link').allTextContents()).toEqual(['Ben Okafor']);
    await checkAccessibility(page, 'contacts');
    await screenshot(page, 'contacts');

    // Sequences: build one from a preset, adjusted.
    await view(page, 'Sequences', 'Sequences', 'sequences-empty');
    await page.getByRole('link', { name: 'New sequence' }).click();
    await page.getByRole('radio', { name: /Standard B2B Outreach/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Spring outbound');
    await page.getByLabel('Jitter (seconds)').fill('0');
    await page.getByRole('group', { name: 'Step 7' }).getByRole('button', { name: 'Remove step 7' }).click();
    await checkAccessibility(page, 'sequence builder');
    await screenshot(page, 'sequence-builder');
    // A refused save shows the API's reason and keeps every edit.
    const day3 = page.getByRole('group', { name: 'Step 3' }).getByLabel('Day');
    await day3.fill('1');
    await page.getByRole('button', { name: 'Create sequence' }).click();
    await page
      .getByRole('alert')
      .getByText(/steps\[2\]\.day \(1\) is before steps\[1\]\.day \(2\)/)
      .waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Spring outbound');
    expect(await page.getByLabel('Jitter (seconds)').inputValue()).toBe('0');
    expect(await page.locator('fieldset.step').count()).toBe(6);
    await day3.fill('5');
    await page.getByRole('button', { name: 'Create sequence' }).click();
    await page.getByRole('heading', { level: 1, name: 'Spring outbound' }).waitFor();
    expect(await page.locator('.step-list li').count()).toBe(6);

    // Simulate: the calendar of what would go out when, nothing sent.
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByText(/\d+ sends, \d+ waits/).waitFor();
    expect(await page.locator('.calendar-day').count()).toBeGreaterThan(2);

    // Enroll by tag; the worker (here: a tick on the server's clock) sends the first step.
    await page.getByLabel('Tag', { exact: true }).selectOption('spring');
    await page.getByRole('button', { name: 'Enroll the tag' }).click();
    await page.getByText('2 enrolled').waitFor();
    await site.tick(ws.workspaceId);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Spring outbound' }).waitFor();
    await checkAccessibility(page, 'sequence');
    await screenshot(page, 'sequence');

    // The sandboxed message on the contact, then a reply logged there.
    await page.getByRole('link', { name: 'Ana Silva' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ana Silva' }).waitFor();
    const message = page.locator('article.message').first();
    await message.getByText('email via sandbox').waitFor();
    expect(await message.locator('pre').textContent()).toContain('Ana');
    await message.getByRole('button', { name: 'Log a reply to this message' }).click();
    await page.getByLabel('What they answered').fill("Yes, I'm interested — can we talk on Tuesday?");
    await page.getByRole('button', { name: 'Log reply' }).click();
    await page.getByText('Reply logged: interested — stopped').waitFor();
    await page.getByText(/Reply \(interested/).waitFor(); // on the timeline
    await checkAccessibility(page, 'contact');
    await screenshot(page, 'contact');

    // Inbox: the reply, its conversation, hand off.
    await view(page, 'Inbox', 'Inbox', 'inbox-list');
    await page.getByRole('button', { name: /Ana Silva/ }).click();
    const conversation = page.getByRole('article', { name: 'Conversation' });
    await conversation.getByText('They wrote').waitFor();
    await page.getByLabel('Your answer').fill('Tuesday 10:00 works — I will send an invite.');
    await page.getByRole('button', { name: 'Send answer' }).click();
    await conversation.getByText('You answered').waitFor();
    await conversation.getByText('Tuesday 10:00 works — I will send an invite.').waitFor();
    await page.getByLabel('Note for whoever follows up (optional)').fill('Wants a demo for the sales team');
    await page.getByRole('button', { name: 'Mark interested → hand off' }).click();
    await page.getByText(/Handed off on/).waitFor();
    await checkAccessibility(page, 'inbox');
    await screenshot(page, 'inbox');

    // Tasks: the hand-off with its talk track; the outcome closes it.
    await view(page, 'Tasks', 'Tasks', 'tasks');
    const card = page.locator('article.task').filter({ hasText: 'Ana Silva' });
    await card.getByText('Talk track').waitFor();
    await card.getByText("Yes, I'm interested").waitFor();
    await card.getByText('Note: Wants a demo for the sales team').waitFor();
    await card.getByLabel('Outcome').selectOption('meeting_booked');
    await card.getByLabel('Note').fill('Thursday 10:00');
    await card.getByRole('button', { name: 'Save outcome' }).click();
    await page.getByText('No open hand-off').waitFor();

    // Analytics: per step, and the charts.
    await view(page, 'Analytics', 'Analytics', 'analytics');
    const row = page.getByRole('row', { name: /Step 1 email/ });
    expect(await row.getByRole('cell').allTextContents()).toEqual(['2', '0', '0', '0', '1', '1', '0', '0']);
    expect(await page.locator('.recharts-wrapper').count()).toBe(2);

    // Accounts: connect an SMTP account.
    await view(page, 'Accounts', 'Accounts', 'accounts-empty');
    await page.getByRole('button', { name: 'Add SMTP' }).click();
    const form = page.getByRole('form', { name: 'Add a SMTP account' });
    await form.getByLabel('From address').fill('olga@acme.example.com');
    await form.getByLabel('From name').fill('Olga at Acme');
    const smtp = form.getByRole('group', { name: 'SMTP server (sending)' });
    await smtp.getByLabel('Host').fill('smtp.acme.example.com');
    await smtp.getByLabel('User').fill('olga@acme.example.com');
    await smtp.getByLabel('Password').fill('app-password');
    await form.getByRole('button', { name: 'Save account' }).click();
    await page.getByRole('cell', { name: /^olga@acme\.example\.com/ }).waitFor();
    await checkAccessibility(page, 'accounts');
    await screenshot(page, 'accounts');

    // Settings: an API key, shown once, revoked: it stops working at once.
    await view(page, 'Settings', 'Settings', 'settings');
    await page.getByLabel('New key name').fill('CRM sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = String(await page.locator('.notice code.secret').textContent());
    expect(key).toMatch(/^qh_/);
    expect((await site.api(key, 'GET', '/v1/workspace')).statusCode).toBe(200);
    await page.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await page
      .getByRole('row', { name: /CRM sync/ })
      .getByText('revoked')
      .waitFor();
    expect((await site.api(key, 'GET', '/v1/workspace')).statusCode).toBe(401);

    // Home sums it up.
    await view(page, 'Home', 'Home', 'home');
    expect(await page.locator('.stat').first().textContent()).toContain('2sent today');
    clean(['POST /v1/session 401', 'POST /v1/sequences 400']); // the wrong password and the refused save, shown as such
  });
});

describe('the dashboard on a phone and across workspaces', () => {
  it('works at phone width: the menu folds, nothing overflows sideways', async () => {
    const ws = await site.workspace('Phone');
    const { page, clean } = await openPage(browser, site, { width: 390, height: 844 });
    await page.goto(ws.setupUrl);
    await page.getByLabel('Your name').fill('Pia');
    await page.getByLabel('Email').fill('pia@phone.example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    for (const [item, heading] of [
      ['Contacts', 'Contacts'],
      ['Sequences', 'Sequences'],
      ['Inbox', 'Inbox'],
      ['Tasks', 'Tasks'],
      ['Analytics', 'Analytics'],
      ['Accounts', 'Accounts'],
      ['Settings', 'Settings'],
    ] as const) {
      await page.getByRole('button', { name: 'Menu' }).click();
      await nav.getByRole('link', { name: item, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      expect(await nav.isVisible()).toBe(false);
      // Wide tables scroll inside their own box; nothing else may stick out of the screen.
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
          .slice(0, 5),
      );
      expect(wide, `${item} overflows sideways`).toEqual([]);
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(scroll, `${item} scrolls sideways`).toBeLessThanOrEqual(0);
      await checkAccessibility(page, `${item} (phone)`);
    }
    await screenshot(page, 'phone-settings');
    clean();
  });

  it("one member's session never reads another workspace's data", async () => {
    const a = await site.workspace('A');
    const b = await site.workspace('B');
    await site.api(b.apiKey, 'POST', '/v1/contacts', {
      contacts: [{ email: 'secret@b.example.com', firstName: 'Bea' }],
    });
    const contactOfB = (await site.api(b.apiKey, 'GET', '/v1/contacts')).json().data[0].id as string;
    const { page, context } = await openPage(browser, site);
    await page.goto(a.setupUrl);
    await page.getByLabel('Your name').fill('Al');
    await page.getByLabel('Email').fill('al@a.example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    await page.goto(`${site.origin}/contacts/${contactOfB}`);
    await page.getByRole('alert').getByText('contact not found').waitFor();
    await page.goto(`${site.origin}/contacts`);
    await page.getByText('No contacts yet').waitFor();
    expect(await page.getByText('Bea').count()).toBe(0);
    // The session cookie itself, used directly: the same answers.
    expect((await context.request.get(`${site.origin}/v1/contacts/${contactOfB}`)).status()).toBe(404);
    const listed = await (await context.request.get(`${site.origin}/v1/contacts/search?q=secret`)).json();
    expect(listed.data).toEqual([]);
  });
});
