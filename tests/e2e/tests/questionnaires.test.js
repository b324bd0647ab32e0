// The questionnaire journey through the Samspor UI: a coordinator sends an
// SDQ link to a parent, the parent answers it on a phone without an account,
// the scores show up for the coordinator, and a paper PHQ-A with a critical
// answer raises an alert that a therapist acknowledges, leaving a trace in the
// child's access log. Each step builds on the one before, so a failed step
// skips the rest instead of piling up follow-on failures.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import { COORDINATOR_KOBENHAVN, DEMO_PASSWORD, THERAPIST_KOBENHAVN } from '../lib/demo.js';
import {
  assertH1,
  assertH1Contains,
  assertShows,
  createSession,
  navLink,
  normalize,
  pathOf,
  stepRunner,
  tableRows,
  whoAmI,
} from '../lib/journey.js';

// The instrument definitions the server loads; titles and scale names are read
// from them rather than copied, so a retitled questionnaire does not break this.
async function instrument(id) {
  const file = new URL(`../../../instruments/${id}.json`, import.meta.url);
  return JSON.parse(await readFile(file, 'utf8'));
}

// The child is born on the 15th of this month twelve years ago, so it is 11 or
// 12 whenever the test runs: inside both the SDQ parent form (4–17) and the
// PHQ-A (11–17). A fixed CPR number would age out of the PHQ-A some day.
// UTC, because the server works out ages on the UTC date.
function childBornTwelveYearsAgo() {
  const now = new Date();
  const year = now.getUTCFullYear() - 12;
  const month = now.getUTCMonth() + 1;
  const dd = '15';
  const mm = String(month).padStart(2, '0');
  const yy = String(year % 100).padStart(2, '0');
  const beforeBirthday = now.getUTCDate() < 15;
  return {
    firstName: 'Vilmer',
    lastName: 'Skemasen',
    // Serial digit 7 of 5 places years 00–57 in the 2000s; the odd last
    // digit makes a boy. The check digit is not tested, as for numbers
    // issued since 2007.
    cpr: `${dd}${mm}${yy}-5321`,
    birthDate: `${dd}.${mm}.${year}`,
    age: beforeBirthday ? 11 : 12,
    guardian: { name: 'Mette Skemasen', relation: 'Mor' },
  };
}

const CHILD = childBornTwelveYearsAgo();
const CHILD_FULL_NAME = `${CHILD.firstName} ${CHILD.lastName}`;

// The respondent answers on a phone: no account, small touch screen.
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  locale: 'da-DK',
};

// The SDQ answers: "somewhat true" (value 1) to all 25 items, and "No" to the
// impact question "difficulties". Worked out by hand from
// instruments/sdq-parent-4-17.json:
// - each of the five scales has five items; a reverse-scored item maps v to
//   2 − v, and 2 − 1 = 1, so every item counts 1 and every scale scores 5;
// - total difficulties = emotional + conduct + hyperactivity + peer = 20,
//   externalising = conduct + hyperactivity = 10, internalising = emotional
//   + peer = 10;
// - impact is gated on "difficulties": "No" (0) means the follow-on items are
//   not asked, and impact scores 0;
// - bands (parent column): emotional 5 is "high" (5–6), conduct 5 "high"
//   (4–5), hyperactivity 5 "close to average" (0–5), peer 5 "very high"
//   (5–10), prosocial 5 "very low" (0–5), total 20 "very high" (20–40),
//   impact 0 "close to average" (0); externalising and internalising have no
//   bands.
const SDQ_ITEM_VALUE = '1';
const SDQ_DIFFICULTIES_VALUE = '0';
// The page words a band with the instrument's Danish label (samspor.band_labels).
const SDQ_EXPECTED = [
  { scale: 'emotional', score: '5', band: 'high' },
  { scale: 'conduct', score: '5', band: 'high' },
  { scale: 'hyperactivity', score: '5', band: 'close_to_average' },
  { scale: 'peer', score: '5', band: 'very_high' },
  { scale: 'prosocial', score: '5', band: 'very_low' },
  { scale: 'total_difficulties', score: '20', band: 'very_high' },
  { scale: 'externalising', score: '10', band: null },
  { scale: 'internalising', score: '10', band: null },
  { scale: 'impact', score: '0', band: 'close_to_average' },
];

// The paper PHQ-A: "several days" (1) to items 1–8 and "more than half the
// days" (2) to item 9, thoughts of death or self-harm. Item 9 at 1 or more is
// a critical answer; the total is 8 × 1 + 2 = 10, in the band "moderate"
// (10–14).
const PHQ_ANSWERS = { q1: 1, q2: 1, q3: 1, q4: 1, q5: 1, q6: 1, q7: 1, q8: 1, q9: 2 };
const PHQ_EXPECTED = { scale: 'total', score: '10', band: 'moderate' };
const PHQ_ALERT_TEXT = 'PHQ-A spørgsmål 9';

let server;
let browser;
let session;

// --- small page helpers -----------------------------------------------------

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function assertShowsIn(locator, expected) {
  const text = normalize(await locator.innerText());
  assert.ok(text.includes(expected), `expected "${expected}" in:\n${text}`);
}

// Picks the <option> whose text starts with `prefix`; there must be exactly one.
async function selectOptionStartingWith(select, prefix) {
  const options = await select
    .locator('option')
    .evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent.replace(/\s+/g, ' ').trim() })));
  const matches = options.filter((o) => o.text.startsWith(prefix));
  assert.equal(
    matches.length,
    1,
    `exactly one option starting with "${prefix}"; options: ${JSON.stringify(options.map((o) => o.text))}`,
  );
  await select.selectOption(matches[0].value);
  return matches[0];
}

// Answers a question the way a person does, by pressing the text of the
// answer (its <label>), then checks that the label really is tied to the radio.
async function chooseAnswer(page, linkId, value, { tap = false } = {}) {
  const radio = page.locator(`input[type="radio"][name="${linkId}"][value="${value}"]`);
  assert.equal(await radio.count(), 1, `a radio button ${linkId}=${value}`);
  const id = await radio.getAttribute('id');
  const label = page.locator(`label[for="${id}"]`);
  if (tap) await label.tap();
  else await label.click();
  assert.ok(await radio.isChecked(), `pressing the label of ${linkId}=${value} checks its radio button`);
}

// The card of one questionnaire response on the questionnaires page.
function responseCard(page, title) {
  return page.locator('section.card').filter({ has: page.getByRole('heading', { name: title }) });
}

// An instrument's scales as its definition lists them: name and Danish title.
function scalesOf(definition) {
  const s = definition.samspor;
  return [...s.scales, ...(s.derived ?? []), ...(s.gated_sums ?? [])].map((x) => ({
    name: x.name,
    title: x.title_da,
  }));
}

// Checks one scale's row in a response card against `expected`
// ({ scale, score, band }): the row is named by the scale's Danish title and
// the band by the instrument's Danish label.
function assertScaleRow(rows, definition, expected) {
  const scale = scalesOf(definition).find((s) => s.name === expected.scale);
  assert.ok(scale, `${definition.id} defines the scale ${expected.scale}`);
  const row = rows.find((cells) => cells[0] === scale.title);
  assert.ok(row, `a row "${scale.title}"; rows: ${JSON.stringify(rows)}`);
  const [, score, band] = row;
  assert.equal(score, expected.score, `score of ${expected.scale}`);
  if (expected.band) {
    const label = definition.samspor.band_labels[expected.band]?.da;
    assert.ok(label, `${definition.id} has a Danish label for the band ${expected.band}`);
    // Unverified cut-offs carry "(foreløbig grænse)" after the label.
    assert.ok(
      band === label || band.startsWith(`${label} (`),
      `band of ${expected.scale} is "${band}", expected "${label}"`,
    );
  } else {
    assert.equal(band, '–', `${expected.scale} has no band`);
  }
}

async function assertNoHorizontalScroll(page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `the page is ${scrollWidth}px wide on a ${innerWidth}px phone screen`);
}

// --- the journey ------------------------------------------------------------

describe('questionnaires', () => {
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

  test('a parent answers an SDQ link on a phone, and a critical PHQ-A answer raises an alert', { timeout: 300_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    const sdq = await instrument('sdq-parent-4-17');
    const phq = await instrument('phq-a');
    const coordinator = await session.newPage();
    let childUrl;
    let questionnairesUrl;
    let invitationLink;
    let therapistName;

    await step('1. the coordinator registers a child with a guardian and opens its questionnaires', async () => {
      await login(coordinator, server.url, COORDINATOR_KOBENHAVN.email, DEMO_PASSWORD);
      await assertH1Contains(coordinator, 'Forside');

      await clickAndWait(coordinator, navLink(coordinator, 'Børn'));
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Opret barn', exact: true }));
      await coordinator.getByLabel('CPR-nummer', { exact: true }).fill(CHILD.cpr);
      await coordinator.getByLabel('Fornavn', { exact: true }).fill(CHILD.firstName);
      await coordinator.getByLabel('Efternavn', { exact: true }).fill(CHILD.lastName);
      const adult = coordinator.getByRole('group', { name: 'Voksen 1', exact: true });
      await adult.getByLabel('Navn', { exact: true }).fill(CHILD.guardian.name);
      await adult.getByLabel('Relation', { exact: true }).selectOption({ label: CHILD.guardian.relation });
      const created = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Opret', exact: true }));
      assert.equal(created.status(), 200, 'creating the child');

      await assertH1(coordinator, CHILD_FULL_NAME);
      await assertShows(coordinator, CHILD.birthDate);
      await assertShows(coordinator, `${CHILD.age} år`);
      const guardians = await tableRows(coordinator);
      assert.ok(
        guardians.some((cells) => cells[0] === CHILD.guardian.name && cells[1] === CHILD.guardian.relation),
        `the guardian is listed; rows: ${JSON.stringify(guardians)}`,
      );
      childUrl = coordinator.url();
      await checkA11y(coordinator, 'child page');

      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Spørgeskemaer', exact: true }));
      await assertH1(coordinator, `Spørgeskemaer: ${CHILD_FULL_NAME}`);
      questionnairesUrl = coordinator.url();
      assert.equal(pathOf(questionnairesUrl), `${pathOf(childUrl)}/questionnaires`);
      await assertShows(coordinator, 'Ingen besvarelser endnu.');
      await assertShows(coordinator, 'Ingen links oprettet endnu.');
      await checkA11y(coordinator, 'questionnaires page without responses');
    });

    await step('2. the coordinator creates an SDQ link for the guardian', async () => {
      await selectOptionStartingWith(coordinator.getByLabel('Spørgeskema', { exact: true }), sdq.title);
      await selectOptionStartingWith(coordinator.getByLabel('Hvem skal svare', { exact: true }), CHILD.guardian.name);
      const response = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Opret link', exact: true }));
      assert.equal(response.status(), 201, 'creating the link');

      await assertH1(coordinator, 'Link oprettet');
      invitationLink = normalize(await coordinator.locator('#invitation-link').innerText());
      assert.match(invitationLink, /^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{16,}$/, 'a one-time link on this server');
      assert.ok(invitationLink.startsWith(server.url), `the link ${invitationLink} points at ${server.url}`);
      // The demo server has no e-mail set up: the page says the link was not sent.
      await assertShows(coordinator, 'Ikke sendt – kopiér linket');
      assert.ok(await coordinator.getByRole('button', { name: 'Kopiér linket', exact: true }).isVisible());
      await checkA11y(coordinator, 'link created page');
      // Printed, the page is a letter with the link as a QR code, and nothing else.
      await coordinator.emulateMedia({ media: 'print' });
      assert.ok(await coordinator.locator('section.letter svg').isVisible(), 'the letter has a QR code');
      assert.ok(await coordinator.locator('section.letter').getByText(invitationLink).isVisible());
      assert.equal(await coordinator.locator('h1').isVisible(), false, 'only the letter is printed');
      await coordinator.emulateMedia({ media: 'screen' });
    });

    await step('3. the guardian answers the link on a phone', async () => {
      const phone = await session.newPage(PHONE);
      const first = await phone.goto(invitationLink);
      assert.equal(first.status(), 200, `GET ${invitationLink}`);
      await assertH1(phone, sdq.title);

      const pages = sdq.item;
      assert.equal(pages.length, 6, 'the SDQ parent form has five item pages and the impact page');
      for (const [index, group] of pages.entries()) {
        const pageNo = index + 1;
        await assertShows(phone, `Side ${pageNo} af ${pages.length}`);
        await assertShows(phone, `Spørgsmålene handler om ${CHILD.firstName}.`);
        // A forwarded or misdirected link must not tell a stranger who the child is.
        assert.ok(!(await phone.content()).includes(CHILD.lastName), `page ${pageNo} never shows the family name`);
        assert.equal(await phone.locator('fieldset.question').count(), group.item.length, `questions on page ${pageNo}`);
        await assertNoHorizontalScroll(phone);
        await checkA11y(phone, `respondent page ${pageNo}`);

        const last = pageNo === pages.length;
        if (last) {
          await chooseAnswer(phone, 'difficulties', SDQ_DIFFICULTIES_VALUE, { tap: true });
        } else {
          for (const question of group.item) await chooseAnswer(phone, question.linkId, SDQ_ITEM_VALUE, { tap: true });
        }
        const button = phone.getByRole('button', { name: last ? 'Send svar' : 'Næste', exact: true });
        const response = await clickAndWait(phone, button);
        assert.equal(response.status(), 200, `after page ${pageNo}`);
      }

      assert.match(pathOf(phone.url()), /^\/s\/[^/]+\/tak$/, 'the thank-you page');
      await assertH1(phone, 'Tak for dine svar');
      await checkA11y(phone, 'thank-you page');

      const again = await phone.goto(invitationLink);
      assert.equal(again.status(), 404, 'a used link is gone');
      await assertH1(phone, 'Linket kan ikke bruges');
      assert.equal(await phone.locator('form').count(), 0, 'a used link offers no form');
      await checkA11y(phone, 'used link page');
      session.lookAt(coordinator);
    });

    await step('4. the coordinator sees the SDQ scores, bands, a chart and the link answered', async (st) => {
      await coordinator.goto(questionnairesUrl);
      await assertH1(coordinator, `Spørgeskemaer: ${CHILD_FULL_NAME}`);

      const card = responseCard(coordinator, new RegExp(`^${escapeRegExp(sdq.title)} – `));
      assert.equal(await card.count(), 1, 'one SDQ response');
      await assertShowsIn(card, `Besvaret af: ${CHILD.guardian.name} (link)`);
      const rows = (await tableRows(card)).slice(1);
      const scales = scalesOf(sdq);
      assert.equal(rows.length, scales.length, `a row for each SDQ scale; rows: ${JSON.stringify(rows)}`);
      for (const expected of SDQ_EXPECTED) assertScaleRow(rows, sdq, expected);

      // One chart per scale, each with its numbers also as a table.
      const charts = coordinator.locator('.charts svg[role="img"]');
      assert.equal(await charts.count(), scales.length, 'a chart for each SDQ scale');
      const totalTitle = scales.find((s) => s.name === 'total_difficulties').title;
      const totalFigure = coordinator.locator('.charts figure').filter({
        has: coordinator.locator('figcaption', { hasText: totalTitle }),
      });
      assert.equal(await totalFigure.count(), 1, `a chart for "${totalTitle}"`);
      assert.equal(await totalFigure.locator('svg[role="img"]').count(), 1);
      const points = (await tableRows(totalFigure)).slice(1);
      assert.deepEqual(
        points.map((cells) => cells.slice(1)),
        [['20', 'Udgangspunkt']],
        'the chart table lists the one answer as the baseline',
      );
      await st.test(
        'each chart is read out under its own title',
        // axe only lists repeated ids as "needs review", so checkA11y would not catch this.
        async () => {
          const figures = coordinator.locator('.charts figure');
          for (let i = 0; i < (await figures.count()); i += 1) {
            const figure = figures.nth(i);
            const caption = normalize(await figure.locator('figcaption').innerText());
            // The accessible name as chromium computes it, i.e. what a screen reader says.
            const snapshot = await figure.locator('svg[role="img"]').ariaSnapshot();
            assert.ok(
              snapshot.includes(caption),
              `the chart captioned "${caption}" is read out as: ${snapshot.split('\n')[0]}`,
            );
          }
        },
      );

      const links = await tableRows(coordinator, 'h2:text-is("Links") + table');
      const link = links.find((cells) => cells[0] === sdq.title);
      assert.ok(link, `the SDQ link is listed; rows: ${JSON.stringify(links)}`);
      assert.equal(link[1], CHILD.guardian.name, 'sent to the guardian');
      assert.equal(link[2], 'Besvaret', 'the link is answered');
      assert.equal(
        await coordinator.getByRole('button', { name: 'Træk tilbage', exact: true }).count(),
        0,
        'an answered link cannot be withdrawn',
      );
      await checkA11y(coordinator, 'questionnaires page with results');
    });

    await step('5. a paper PHQ-A with a critical answer is typed in', async () => {
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Indtast papirskema', exact: true }));
      await assertH1(coordinator, `Indtast papirskema: ${CHILD_FULL_NAME}`);
      await checkA11y(coordinator, 'paper form');

      await coordinator.getByLabel('Spørgeskema', { exact: true }).selectOption(phq.id);
      await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Vælg', exact: true }));
      assert.equal(new URL(coordinator.url()).searchParams.get('instrument'), phq.id, 'the chosen questionnaire is in the address');
      assert.equal(await coordinator.getByLabel('Spørgeskema', { exact: true }).inputValue(), phq.id);
      const questionCount = phq.item.reduce((n, group) => n + group.item.length, 0);
      assert.equal(await coordinator.locator('fieldset.question').count(), questionCount, 'every PHQ-A question on one page');
      await checkA11y(coordinator, 'paper form for the PHQ-A');

      await coordinator.getByLabel('Besvaret af', { exact: true }).fill(CHILD.firstName);
      for (const [linkId, value] of Object.entries(PHQ_ANSWERS)) await chooseAnswer(coordinator, linkId, value);
      await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Gem', exact: true }));

      assert.equal(pathOf(coordinator.url()), pathOf(questionnairesUrl), 'saving leads back to the questionnaires');
      const card = responseCard(coordinator, new RegExp(`^${escapeRegExp(phq.title)} – `));
      assert.equal(await card.count(), 1, 'one PHQ-A response');
      await assertShowsIn(card, `Besvaret af: ${CHILD.firstName} (papir)`);
      const rows = (await tableRows(card)).slice(1);
      assert.equal(rows.length, 1, `the PHQ-A has one scale; rows: ${JSON.stringify(rows)}`);
      assertScaleRow(rows, phq, PHQ_EXPECTED);
      await checkA11y(coordinator, 'questionnaires page with two responses');
    });

    await step('6. a therapist in the same organisation sees the alert and acknowledges it', async () => {
      const therapist = await session.newPage();
      await login(therapist, server.url, THERAPIST_KOBENHAVN.email, DEMO_PASSWORD);
      await assertH1(therapist, 'Forside');
      // The demo seed generates names; the access log will show this one.
      therapistName = (await whoAmI(therapist, server.url)).name.trim();

      const alerts = therapist.getByRole('region', { name: 'Advarsler', exact: true });
      assert.equal(await alerts.count(), 1, 'an "Advarsler" section on the front page');
      const alert = alerts.getByRole('alert').filter({ hasText: CHILD_FULL_NAME });
      assert.equal(await alert.count(), 1, `one alert naming ${CHILD_FULL_NAME}`);
      const text = normalize(await alert.innerText());
      assert.ok(text.includes(PHQ_ALERT_TEXT), `the alert explains itself: "${text}"`);
      const childLink = alert.getByRole('link', { name: CHILD_FULL_NAME, exact: true });
      assert.equal(
        pathOf(new URL(await childLink.getAttribute('href'), therapist.url()).href),
        pathOf(questionnairesUrl),
        "the alert links to the child's questionnaires",
      );
      await checkA11y(therapist, 'front page with an alert');

      await clickAndWait(therapist, alert.getByRole('button', { name: 'Kvittér', exact: true }));
      assert.equal(pathOf(therapist.url()), '/', 'acknowledging leads back to the front page');
      await assertH1(therapist, 'Forside');
      assert.equal(
        await therapist.getByRole('alert').filter({ hasText: CHILD_FULL_NAME }).count(),
        0,
        'the acknowledged alert is gone',
      );
      await checkA11y(therapist, 'front page after acknowledging');

      session.lookAt(coordinator);
    });

    await step("7. the child's access log records the acknowledgement", async () => {
      await coordinator.goto(childUrl);
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Adgangslog', exact: true }));
      await assertH1(coordinator, `Adgangslog: ${CHILD_FULL_NAME}`);
      const rows = await tableRows(coordinator);
      // The therapist never opened or edited the child: the acknowledgement is
      // their only change, so it is the one "Ændret" entry in their name.
      const changes = rows.filter((cells) => cells[1] === therapistName && cells[3] === 'Ændret');
      assert.equal(
        changes.length,
        1,
        `one "Ændret" entry by ${therapistName}; rows:\n${JSON.stringify(rows, null, 1)}`,
      );
      await checkA11y(coordinator, 'access log');
    });
  });
});
