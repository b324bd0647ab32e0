// A parent group and learning-environment guidance through the Samspor UI: the
// therapist opens the demo's parent group, records one group session with each
// member's attendance (refused while nobody is marked as attending, nothing
// saved), and finds the session as a group Behandling in a
// member child's own course. Then guidance with the child's school is recorded
// on the course. Each step builds on the one before.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import { DEMO_PASSWORD, THERAPIST_KOBENHAVN } from '../lib/demo.js';
import { assertH1, createSession, normalize, pathOf, stepRunner, tableRows } from '../lib/journey.js';

function copenhagenToday() {
  const iso = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  return new Date(`${iso}T00:00:00Z`);
}

const pad = (n) => String(n).padStart(2, '0');
const isoDate = (day) => day.toISOString().slice(0, 10);
const danishDate = (day) => `${pad(day.getUTCDate())}.${pad(day.getUTCMonth() + 1)}.${day.getUTCFullYear()}`;
const YESTERDAY = new Date(copenhagenToday().getTime() - 86_400_000);

function region(page, name) {
  return page.getByRole('region', { name, exact: true });
}

async function assertNotice(page, expected) {
  const notice = page.getByRole('status');
  assert.equal(await notice.count(), 1, `one notice on ${page.url()}`);
  assert.equal(normalize(await notice.innerText()), expected);
}

let server;
let browser;
let session;

describe('groups', () => {
  before(
    async () => {
      server = await startServer();
      browser = await launchBrowser();
      session = createSession(browser);
    },
    { timeout: 120_000 },
  );

  after(async () => {
    await session?.close();
    await browser?.close();
    await server?.stop();
  });

  test('a parent group session counts in every attending child\'s course; guidance is kept on the course', { timeout: 240_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    const page = await session.newPage();
    let members;
    let groupUrl;

    await step('1. the therapist opens the demo parent group', async () => {
      const response = await login(page, server.url, THERAPIST_KOBENHAVN.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await clickAndWait(page, page.getByRole('link', { name: 'Forældregrupper', exact: true }));
      assert.equal(pathOf(page.url()), '/groups');
      await assertH1(page, 'Forældregrupper');
      const groups = (await tableRows(region(page, 'Grupper'))).slice(1);
      assert.equal(groups.length, 1, `the demo has one group in København; rows: ${JSON.stringify(groups)}`);
      await checkA11y(page, 'groups');
      await clickAndWait(page, page.locator('table').getByRole('link').first());
      groupUrl = page.url();
      members = (await tableRows(region(page, 'Medlemmer'))).slice(1).map((r) => r[0]);
      assert.ok(members.length >= 3, `the group has its members; ${JSON.stringify(members)}`);
      await checkA11y(page, 'group');
    });

    await step('2. a session nobody attended is refused, and nothing is saved', async () => {
      const before = (await tableRows(region(page, 'Sessioner'))).length;
      const form = region(page, 'Registrér en session');
      await form.getByLabel('Tidspunkt', { exact: true }).fill(`${isoDate(YESTERDAY)}T16:00`);
      const rows = form.locator('fieldset.attendance-row');
      assert.equal(await rows.count(), members.length, 'a row for each member');
      for (let i = 0; i < members.length; i += 1) {
        const row = rows.nth(i);
        assert.equal(normalize(await row.locator('legend').innerText()), members[i]);
        // A parent group: every member is expected, with the caregivers only, until told otherwise.
        assert.ok(await row.getByLabel('Mødt', { exact: true }).isChecked());
        assert.ok(await row.getByLabel('Kun omsorgspersoner', { exact: true }).isChecked());
        await row.getByLabel('Mødt', { exact: true }).uncheck();
      }
      const refused = await clickAndWait(page, form.getByRole('button', { name: 'Gem session', exact: true }));
      assert.equal(refused.status(), 422);
      assert.ok(await page.getByRole('alert').count() >= 1, 'the errors are summarised');
      assert.equal((await tableRows(region(page, 'Sessioner'))).length, before, 'no session was saved');
      assert.equal(await page.locator('#at').inputValue(), `${isoDate(YESTERDAY)}T16:00`, 'the time is kept');
      await checkA11y(page, 'group session refused');
    });

    await step('3. everyone but the last member came, the first with the child: saved for each attending child', async () => {
      const form = region(page, 'Registrér en session');
      const rows = form.locator('fieldset.attendance-row');
      for (let i = 0; i < members.length - 1; i += 1) {
        await rows.nth(i).getByLabel('Mødt', { exact: true }).check();
        await rows.nth(i).getByLabel(i === 0 ? 'Barnet deltog' : 'Kun omsorgspersoner', { exact: true }).check();
      }
      const saved = await clickAndWait(page, form.getByRole('button', { name: 'Gem session', exact: true }));
      assert.equal(saved.status(), 200);
      await assertNotice(page, 'Sessionen er gemt, og behandlingskontakterne er registreret i forløbene.');
      const sessions = (await tableRows(region(page, 'Sessioner'))).slice(1);
      const ours = sessions.find((r) => r[0].startsWith(danishDate(YESTERDAY)));
      assert.ok(ours, `yesterday's session is listed; rows: ${JSON.stringify(sessions)}`);
      assert.ok(ours[2].startsWith(`${members.length - 1} mødt`), `attendance: ${ours[2]}`);
    });

    await step('4. the first member\'s own course shows the group session as a Behandling', async () => {
      await page.goto(groupUrl);
      await clickAndWait(page, region(page, 'Medlemmer').getByRole('link', { name: members[0], exact: true }));
      const courseId = pathOf(page.url()).split('/')[2];
      await page.goto(`${server.url}courses/${courseId}/treatment`);
      const log = (await tableRows(region(page, 'Sessionslog'))).slice(1);
      const ours = log.find((r) => r[0].startsWith(danishDate(YESTERDAY)));
      assert.ok(ours, `the group session is in the child's session log; rows: ${JSON.stringify(log)}`);
      assert.match(ours[3], /Gruppe/, `a group Behandling: ${ours[3]}`);
      await page.goto(`${server.url}courses/${courseId}`);
    });

    await step('5. guidance with the school is recorded on the course', async () => {
      await clickAndWait(page, page.getByRole('link', { name: 'Læringsmiljø-vejledning', exact: true }).first());
      await assertH1(page, `Læringsmiljø-vejledning: ${members[0]}`);
      const form = region(page, 'Registrér vejledning');
      await form.getByLabel('Dato', { exact: true }).fill(isoDate(YESTERDAY));
      const school = form.getByLabel('Skole eller institution', { exact: true });
      const options = await school.locator('option').allInnerTexts();
      if (options.some((o) => o === 'Ikke på listen')) await school.selectOption({ label: 'Ikke på listen' });
      await form.getByLabel('Navn på skole eller institution', { exact: true }).fill('Egeskolen');
      await form.getByLabel('Deltagere', { exact: true }).fill('Klasselærer og pædagog i SFO');
      await form.getByLabel('Emne', { exact: true }).fill('Pauser og overgange i skoledagen');
      await form.getByLabel('Aftalte handlinger', { exact: true }).fill('Fast pauseplads og varsling før skift.');
      const saved = await clickAndWait(page, form.getByRole('button', { name: 'Gem vejledning', exact: true }));
      assert.equal(saved.status(), 200);
      await assertNotice(page, 'Vejledningen er gemt.');
      const list = normalize(await region(page, 'Vejledninger').innerText());
      assert.ok(list.includes('Pauser og overgange i skoledagen'), list);
      await checkA11y(page, 'guidance');
    });
  });
});
