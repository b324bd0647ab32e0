// Sharing across sectors through the Samspor UI: the child psychologist at BUC
// Glostrup finds exactly the København children shared with BUC on a basis in
// force, reads one without its address, and cannot open its lawful-basis page.
// The København coordinator opens that child's lawful-basis page, sees the
// consent and the share, and is refused in Danish, with nothing saved, when a
// consent is sent without its fields, then makes the family's extract of the
// access log for a custody holder. Each step builds on the one before.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import { COORDINATOR_KOBENHAVN, DEMO_PASSWORD, PSYCHOLOGIST_BUC } from '../lib/demo.js';
import { assertH1Contains, createSession, normalize, pathOf, stepRunner, tableRows } from '../lib/journey.js';

let server;
let browser;
let session;

describe('sharing', () => {
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

  test('child psychiatry reads what is shared with it; the owner manages the lawful basis', { timeout: 240_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    let page = await session.newPage();
    let childPath;
    let sharedName;

    await step('1. BUC sees the children shared with it, and only those', async () => {
      const response = await login(page, server.url, PSYCHOLOGIST_BUC.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await clickAndWait(page, page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Børn', exact: true }));
      assert.equal(pathOf(page.url()), '/children');
      const rows = (await tableRows(page)).slice(1);
      // The children GPs referred to the unit are its own records (the demo's Valbysen family).
      const shared = rows.filter(([name]) => !name.endsWith('Valbysen'));
      assert.equal(shared.length, 2, `two København children are shared with BUC on a basis in force: ${JSON.stringify(rows)}`);
      assert.equal(rows.length - shared.length, 3, `and three children GPs referred to it: ${JSON.stringify(rows)}`);
      sharedName = shared[0][0];
      await checkA11y(page, 'children shared with BUC');
    });

    await step('2. BUC reads a shared child without the address, and not its lawful basis', async () => {
      await clickAndWait(page, page.locator('table').getByRole('link', { name: sharedName, exact: true }).first());
      childPath = pathOf(page.url());
      assert.match(childPath, /^\/children\/[0-9a-f-]{36}$/);
      const facts = normalize(await page.locator('dl.facts').innerText());
      assert.match(facts, /Adresse\s*–/, `no address reaches a recipient: ${facts}`);
      await checkA11y(page, 'shared child');
      const refused = await page.goto(new URL(`${childPath}/lawful-basis`, server.url).href);
      assert.equal(refused.status(), 404);
    });

    await step('3. the owner sees the basis and the share, and a consent without fields is refused', async () => {
      await page.close();
      page = await session.newPage();
      await login(page, server.url, COORDINATOR_KOBENHAVN.email, DEMO_PASSWORD);
      await page.goto(new URL(childPath, server.url).href);
      await clickAndWait(page, page.getByRole('link', { name: 'Samtykke og deling', exact: true }));
      await assertH1Contains(page, 'Samtykke og deling');
      const shares = normalize(await page.getByRole('region', { name: 'Delte forløb', exact: true }).innerText());
      assert.match(shares, /Børne- og Ungdomspsykiatrisk Center Glostrup/);
      await checkA11y(page, 'lawful basis');
      const consentsBefore = (await tableRows(page.getByRole('region', { name: 'Samtykker', exact: true }))).length;
      await page.getByText('Registrér samtykke', { exact: true }).click();
      await clickAndWait(page, page.getByRole('button', { name: 'Registrér', exact: true }).first());
      const summary = normalize(await page.getByRole('alert').first().innerText());
      assert.match(summary, /Vælg mindst én organisation/, summary);
      await checkA11y(page, 'refused consent');
      await page.goto(new URL(`${childPath}/lawful-basis`, server.url).href);
      const consentsAfter = (await tableRows(page.getByRole('region', { name: 'Samtykker', exact: true }))).length;
      assert.equal(consentsAfter, consentsBefore, 'nothing was saved');
    });

    await step('4. a custody holder asks for the access log: BUC is in it with its basis, staff names are not', async () => {
      const asker = page.getByLabel('Hvem beder om udskriften', { exact: true });
      const labels = await asker.locator('option').allInnerTexts();
      const custodyHolder = labels.find((l) => l.includes('(forældremyndighed)'));
      assert.ok(custodyHolder, `a custody holder to choose: ${labels}`);
      await asker.selectOption({ label: custodyHolder });
      await page.getByLabel('Form', { exact: true }).selectOption({ label: 'Side til udskrivning' });
      await clickAndWait(page, page.getByRole('button', { name: 'Lav udskrift', exact: true }));
      await assertH1Contains(page, 'Adgangslog');
      const rows = (await tableRows(page)).map((r) => r.join(' | '));
      const buc = rows.filter((r) => r.includes('Børne- og Ungdomspsykiatrisk Center Glostrup'));
      assert.ok(buc.length > 0, `BUC's reads are in the extract: ${rows.slice(0, 5)}`);
      assert.ok(buc.every((r) => r.includes('Samtykke')), `each on its consent: ${buc}`);
      assert.ok(!rows[0].includes('Hvem'), `no column of staff names: ${rows[0]}`);
      await checkA11y(page, 'family access-log extract');
    });
  });
});
