// The foundation journey through the Samspor UI: login, the children list,
// creating a child with CPR validation, the access log, search, the language
// switch, logout and isolation between municipalities. Each step builds on
// the one before, so a failed step skips the rest instead of piling up
// follow-on failures.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  checkA11y,
  clickAndWait,
  launchBrowser,
  login,
  saveFailureArtifacts,
  startServer,
  submitLogin,
} from '../lib/harness.js';
import { COORDINATOR_AARHUS, COORDINATOR_KOBENHAVN, DEMO_PASSWORD } from '../lib/demo.js';

const CHILD = {
  firstName: 'Testa',
  lastName: 'Testesen',
  // 32 January does not exist, so this must be refused.
  impossibleCpr: '320115-1234',
  // A real date whose digits fail the old modulus-11 check; numbers issued
  // since 2007 may do that, so it must be accepted.
  cpr: '150315-4321',
  birthDate: '15.03.2015',
  // The last digit (1) is odd.
  sex: 'Dreng',
};
const CHILD_FULL_NAME = `${CHILD.firstName} ${CHILD.lastName}`;

const SERVER_LOG_LINES_ON_FAILURE = 80;

let server;
let browser;
const contexts = [];
// The page a failing step is looking at, for its screenshot.
let currentPage = null;

// Users see the UI through a Danish browser; Playwright's default en-US
// Accept-Language would otherwise pick English.
async function newDanishContext() {
  const context = await browser.newContext({ locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
  // Server-rendered pages answer in milliseconds; a short timeout turns a
  // missing element into a quick, clear failure instead of a long hang.
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  contexts.push(context);
  const page = await context.newPage();
  currentPage = page;
  return page;
}

// Runs the steps of one journey in order; once one fails the rest are
// reported as skipped. A failure attaches a screenshot path and the end of the
// server log as diagnostics.
function stepRunner(t) {
  let failedStep = null;
  return async function step(name, fn) {
    if (failedStep) {
      await t.test(name, { skip: `step "${failedStep}" failed` }, () => {});
      return;
    }
    await t.test(name, async (st) => {
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        if (currentPage) {
          st.diagnostic(`page at failure: ${currentPage.url()}`);
          const shot = await saveFailureArtifacts(currentPage, name);
          if (shot) st.diagnostic(`screenshot: ${shot}`);
        }
        const tail = server.log().trimEnd().split('\n').slice(-SERVER_LOG_LINES_ON_FAILURE);
        st.diagnostic(`last ${tail.length} lines of server output:`);
        for (const line of tail) st.diagnostic(line);
        throw err;
      }
    });
  };
}

// --- small page helpers -----------------------------------------------------

const normalize = (text) => text.replace(/\s+/g, ' ').trim();

async function h1Text(page) {
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `expected exactly one h1 on ${page.url()}`);
  return normalize(await h1.innerText());
}

async function assertH1(page, expected) {
  assert.equal(await h1Text(page), expected, `h1 on ${page.url()}`);
}

async function assertH1Contains(page, expected) {
  const text = await h1Text(page);
  assert.ok(text.includes(expected), `h1 on ${page.url()} is "${text}", expected it to contain "${expected}"`);
}

async function visibleText(page) {
  return normalize(await page.locator('body').innerText());
}

async function assertShows(page, expected) {
  const text = await visibleText(page);
  assert.ok(text.includes(expected), `expected "${expected}" on ${page.url()}, the page shows:\n${text}`);
}

function pathOf(url) {
  return new URL(url).pathname;
}

async function assertOnLoginPage(page) {
  assert.match(pathOf(page.url()), /^\/login\b/, `expected the login page, got ${page.url()}`);
  await assertH1(page, 'Log ind');
}

function navLink(page, name) {
  return page.getByRole('navigation').getByRole('link', { name, exact: true }).first();
}

// The language switch may be a link or a form button; either way it sits in
// the page header.
function headerControl(page, name) {
  const banner = page.getByRole('banner');
  return banner
    .getByRole('button', { name, exact: true })
    .or(banner.getByRole('link', { name, exact: true }))
    .first();
}

async function htmlLang(page) {
  return (await page.locator('html').getAttribute('lang')) ?? '';
}

// Every row of every table on the page, as the normalized text of its cells.
async function tableRows(page) {
  return page
    .locator('table tr')
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.cells, (cell) => cell.innerText.replace(/\s+/g, ' ').trim())),
    );
}

// The logged-in user as the server knows them; the API accepts the browser
// session for reads.
async function whoAmI(page) {
  const response = await page.request.get(`${server.url}api/v1/me`);
  assert.equal(response.status(), 200, 'GET /api/v1/me with the session cookie');
  return response.json();
}

async function search(page, query) {
  await page.getByLabel('Søg', { exact: true }).fill(query);
  return clickAndWait(page, page.getByRole('button', { name: 'Søg', exact: true }));
}

// --- the journey ------------------------------------------------------------

describe('foundation', () => {
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

  test('a coordinator registers a child, and only their municipality sees it', { timeout: 300_000 }, async (t) => {
    const step = stepRunner(t);
    const kbh = { ...COORDINATOR_KOBENHAVN, name: null };
    const page = await newDanishContext();
    let childrenListUrl;
    let childUrl;

    await step('1. anonymous visitors land on the login page; a wrong password is refused', async () => {
      await page.goto(server.url);
      await assertOnLoginPage(page);
      await checkA11y(page, 'login page');

      await submitLogin(page, kbh.email, 'not-the-password');
      await assertShows(page, 'Forkert e-mail eller adgangskode');
      await assertOnLoginPage(page);
      assert.equal(await page.getByLabel('E-mail', { exact: true }).count(), 1, 'the login form is shown again');
      assert.equal(await page.getByRole('button', { name: 'Log ind', exact: true }).count(), 1);
      await checkA11y(page, 'login page with an error');
    });

    await step('2. the Copenhagen coordinator logs in and sees the front page', async () => {
      await submitLogin(page, kbh.email, DEMO_PASSWORD);
      await assertH1Contains(page, 'Forside');
      const me = await whoAmI(page);
      assert.equal(me.email, kbh.email);
      assert.ok(me.name?.trim(), 'the coordinator has a name');
      kbh.name = me.name.trim();
      await assertShows(page, kbh.name);
      assert.equal(await navLink(page, 'Børn').count(), 1, 'a navigation landmark links to "Børn"');
      await checkA11y(page, 'front page');
    });

    await step('3. the children list has a search field and a way to create a child', async () => {
      await clickAndWait(page, navLink(page, 'Børn'));
      await assertH1(page, 'Børn');
      childrenListUrl = page.url();
      assert.equal(await page.getByLabel('Søg', { exact: true }).count(), 1, 'a field labelled "Søg"');
      assert.equal(await page.getByRole('link', { name: 'Opret barn', exact: true }).count(), 1);
      await checkA11y(page, 'children list');
    });

    await step('4. an impossible CPR number is refused with an accessible error', async () => {
      await clickAndWait(page, page.getByRole('link', { name: 'Opret barn', exact: true }));
      await checkA11y(page, 'create child form');

      const cpr = page.getByLabel('CPR-nummer', { exact: true });
      await cpr.fill(CHILD.impossibleCpr);
      await page.getByLabel('Fornavn', { exact: true }).fill(CHILD.firstName);
      await page.getByLabel('Efternavn', { exact: true }).fill(CHILD.lastName);
      const response = await clickAndWait(page, page.getByRole('button', { name: 'Opret', exact: true }));

      assert.ok(
        [200, 400, 422].includes(response.status()),
        `a refused form answers 200/400/422, got ${response.status()}`,
      );
      assert.equal(await cpr.getAttribute('aria-invalid'), 'true', 'the CPR field is marked invalid');
      const describedBy = ((await cpr.getAttribute('aria-describedby')) ?? '').split(/\s+/);
      assert.ok(describedBy.includes('cpr-error'), `aria-describedby is "${describedBy.join(' ')}"`);
      const error = normalize(await page.locator('#cpr-error').innerText());
      assert.ok(error.length > 0, 'the element #cpr-error explains the problem');
      assert.equal(await page.getByLabel('Fornavn', { exact: true }).inputValue(), CHILD.firstName);
      await checkA11y(page, 'create child form with a CPR error');
    });

    await step('5. a valid CPR number that fails modulus 11 is accepted', async () => {
      await page.getByLabel('CPR-nummer', { exact: true }).fill(CHILD.cpr);
      const response = await clickAndWait(page, page.getByRole('button', { name: 'Opret', exact: true }));
      assert.equal(response.status(), 200);
      await assertH1Contains(page, CHILD_FULL_NAME);
      await assertShows(page, CHILD.birthDate);
      await assertShows(page, CHILD.sex);
      childUrl = page.url();
      await checkA11y(page, 'child page');
    });

    await step('6. the access log records who created and read the child', async () => {
      await clickAndWait(page, page.getByRole('link', { name: 'Adgangslog', exact: true }));
      await assertH1Contains(page, 'Adgangslog');
      const rows = await tableRows(page);
      for (const action of ['Oprettet', 'Læst']) {
        const found = rows.some(
          (cells) => cells.some((c) => c.includes(kbh.name)) && cells.some((c) => c === action),
        );
        assert.ok(found, `no row with "${kbh.name}" and action "${action}"; rows:\n${JSON.stringify(rows, null, 1)}`);
      }
      await checkA11y(page, 'access log');
    });

    await step('7. searching for the surname finds the child', async () => {
      await clickAndWait(page, navLink(page, 'Børn'));
      await search(page, CHILD.lastName);
      const result = page.getByRole('link', { name: CHILD_FULL_NAME });
      assert.ok((await result.count()) >= 1, `a result link "${CHILD_FULL_NAME}"`);
      const href = await result.first().getAttribute('href');
      assert.equal(pathOf(new URL(href, page.url()).href), pathOf(childUrl), 'the result leads to the child');
      await checkA11y(page, 'search results');

      await search(page, 'Ingenheddersådan');
      assert.equal(await page.getByRole('link', { name: CHILD_FULL_NAME }).count(), 0, 'a non-matching search');
      await checkA11y(page, 'search without results');
    });

    await step('8. the UI switches to English and back to Danish', async () => {
      assert.match(await htmlLang(page), /^da\b/, 'the Danish UI declares lang="da"');
      await clickAndWait(page, headerControl(page, 'English'));
      await page.goto(childrenListUrl);
      await assertH1(page, 'Children');
      assert.match(await htmlLang(page), /^en\b/, 'the English UI declares lang="en"');
      await checkA11y(page, 'children list in English');

      await clickAndWait(page, headerControl(page, 'Dansk'));
      await page.goto(childrenListUrl);
      await assertH1(page, 'Børn');
      assert.match(await htmlLang(page), /^da\b/);
      await checkA11y(page, 'children list back in Danish');
    });

    await step('9. logging out ends the session', async () => {
      await clickAndWait(page, page.getByRole('button', { name: 'Log ud', exact: true }));
      await assertOnLoginPage(page);
      await checkA11y(page, 'login page after logout');

      await page.goto(childUrl);
      await assertOnLoginPage(page);
      assert.ok(!(await page.content()).includes(CHILD.lastName), 'the child is not shown after logout');
    });

    await step('10. a coordinator in Aarhus cannot see a Copenhagen child', async () => {
      const aarhusPage = await newDanishContext();
      await login(aarhusPage, server.url, COORDINATOR_AARHUS.email, DEMO_PASSWORD);
      await assertH1Contains(aarhusPage, 'Forside');
      await checkA11y(aarhusPage, 'front page in Aarhus');

      const response = await aarhusPage.goto(childUrl);
      assert.equal(response.status(), 404, `GET ${childUrl} as Aarhus`);
      assert.ok(!(await aarhusPage.content()).includes(CHILD.lastName), 'the 404 page reveals nothing');
      await checkA11y(aarhusPage, 'not-found page');
    });
  });
});
