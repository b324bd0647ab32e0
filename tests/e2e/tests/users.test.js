// The administrator keeps the municipality's users, on a desktop screen and on
// a phone: a form with mistakes comes back with a summary that takes the focus
// and links to each field; an invitation without e-mail set up says it was not
// sent and shows the link once; the invited person chooses a password through
// it and logs in; the administrator deactivates the account again.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  checkA11y,
  clickAndWait,
  launchBrowser,
  saveFailureArtifacts,
  startServer,
  submitLogin,
} from '../lib/harness.js';
import { ADMIN_KOBENHAVN, DEMO_PASSWORD } from '../lib/demo.js';

const SCREENS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
};

let server;
let browser;
const contexts = [];

async function newPage(screen) {
  const context = await browser.newContext({ ...screen, locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  return context.newPage();
}

const normalize = (text) => text.replace(/\s+/g, ' ').trim();

async function assertH1(page, expected) {
  assert.equal(normalize(await page.locator('h1').innerText()), expected, `h1 on ${page.url()}`);
}

describe('user administration', () => {
  before(
    async () => {
      server = await startServer();
      browser = await launchBrowser();
    },
    { timeout: 120_000 },
  );

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  for (const [screenName, screen] of Object.entries(SCREENS)) {
    test(`an administrator invites, and the new user starts, on a ${screenName}`, { timeout: 180_000 }, async () => {
      const base = server.url.replace(/\/$/, '');
      const admin = await newPage(screen);
      const email = `ny.${screenName}@kbh.example.dk`;
      const name = `Ny Medarbejder ${screenName}`;
      try {
        await admin.goto(`${base}/admin/users`);
        await submitLogin(admin, ADMIN_KOBENHAVN.email, DEMO_PASSWORD);
        assert.equal(new URL(admin.url()).pathname, '/admin/users', 'back on the page asked for');
        await assertH1(admin, 'Brugere');
        assert.equal(
          await admin.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Brugere', exact: true }).getAttribute('aria-current'),
          'page',
        );
        await checkA11y(admin, `users (${screenName})`);

        // A form with mistakes: the summary names each field, links to it and has the focus.
        await admin.getByLabel('E-mail', { exact: true }).fill('not an address');
        await clickAndWait(admin, admin.getByRole('button', { name: 'Invitér', exact: true }));
        const summary = admin.locator('#error-summary');
        assert.ok(await summary.isVisible(), 'an error summary');
        assert.equal(await admin.evaluate(() => document.activeElement?.id), 'error-summary', 'the summary has the focus');
        const targets = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.deepEqual(targets.sort(), ['#email', '#name', '#role'], 'each field with an error is linked');
        const box = await summary.boundingBox();
        assert.ok(box && box.y < screen.viewport.height, 'the summary is on the screen after the submit');
        await summary.getByRole('link').first().click();
        await checkA11y(admin, `users with errors (${screenName})`);

        await admin.getByLabel('Navn', { exact: true }).fill(name);
        await admin.getByLabel('E-mail', { exact: true }).fill(email);
        await admin.getByLabel('Rolle', { exact: true }).selectOption({ label: 'STIME-behandler' });
        const created = await clickAndWait(admin, admin.getByRole('button', { name: 'Invitér', exact: true }));
        assert.equal(created.status(), 201);
        await assertH1(admin, 'Brugeren er oprettet');
        // No e-mail is set up in the demo: the page does not pretend it was sent.
        assert.equal(normalize(await admin.locator('#delivery').innerText()), 'Ikke sendt – kopiér linket');
        const link = normalize(await admin.locator('#password-link').innerText());
        assert.match(link, /\/password\/[A-Za-z0-9_-]{16,}$/);
        await checkA11y(admin, `invitation (${screenName})`);

        // The invited person chooses a password and logs in.
        const person = await newPage(screen);
        await person.goto(link);
        await assertH1(person, 'Vælg adgangskode');
        await checkA11y(person, `choose a password (${screenName})`);
        await person.getByLabel('Ny adgangskode', { exact: true }).fill('en lang ny adgangskode');
        await person.getByLabel('Gentag adgangskoden', { exact: true }).fill('en lang ny adgangskode');
        await clickAndWait(person, person.getByRole('button', { name: 'Gem adgangskode', exact: true }));
        assert.ok(await person.getByText('Din adgangskode er gemt').isVisible());
        await clickAndWait(person, person.getByRole('link', { name: 'Til log ind', exact: true }));
        await submitLogin(person, email, 'en lang ny adgangskode');
        assert.equal(new URL(person.url()).pathname, '/', 'logged in');

        // The administrator deactivates the account: the person is logged out at once.
        await clickAndWait(admin, admin.getByRole('link', { name: 'Til brugerens side', exact: true }));
        await assertH1(admin, name);
        assert.equal(normalize(await admin.locator('#status').innerText()), 'Aktiv');
        await checkA11y(admin, `one user (${screenName})`);
        await clickAndWait(admin, admin.getByRole('button', { name: 'Deaktivér brugeren', exact: true }));
        assert.equal(normalize(await admin.locator('#status').innerText()), 'Deaktiveret');
        await person.reload();
        assert.equal(new URL(person.url()).pathname, '/login', 'the session ended');
      } catch (err) {
        await saveFailureArtifacts(admin, `users ${screenName}`);
        throw err;
      }
    });
  }
});
