// The partnership across sectors through the Samspor UI, one journey. The
// København coordinator writes the referral that visitation decided for a
// child with signs of depression: without a reason and without a basis for
// child psychiatry it is refused in Danish and nothing is sent; with the
// parents' consent recorded it goes to BUC Glostrup, which finds it in its
// intake queue with its deadline, cannot return it without naming a way, and
// returns it with a way and advice that the coordinator has as a task until it
// is handled. A second course, decided at today's visitation meeting to go to
// child psychiatry, is referred on consent too, and BUC accepts that one. On a
// course shared with BUC on the parents' consent, the KIT coordinator writes
// one shared plan with BUC and PPR København (whose basis
// the coordinator records first), holds a network meeting with all three,
// and hands out tasks owned by each of them; a task without an owner is
// refused with nothing saved, and BUC marks its own task done from its front
// page. The coordinator asks BUC for advice about the course and reads the
// answer. The child's GP practice, Lægehuset Nørrebro, works in Samspor: the
// therapist holds the sessions and closes the course, and the start and end
// letters reach the practice's MedCom inbox through the server's sending
// round. Last, each party is kept to what a basis covers: the GP practices
// cannot open the course or its KIT page, BUC cannot open a course not
// shared with it. Each step builds on the one before, so a failed step skips
// the rest.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import {
  COORDINATOR_KOBENHAVN,
  DEMO_PASSWORD,
  GP_NORREBRO,
  KIT_KOBENHAVN,
  PPR_KOBENHAVN,
  PSYCHOLOGIST_BUC,
  THERAPIST_KOBENHAVN,
  GP_VALBY,
} from '../lib/demo.js';
import {
  assertH1,
  assertH1Contains,
  assertShows,
  createSession,
  factsOf,
  normalize,
  pathOf,
  repoJson,
  selectOptionStartingWith,
  stepRunner,
  tableRows,
  visibleText,
} from '../lib/journey.js';

// --- Danish days ---------------------------------------------------------------

function copenhagenToday() {
  const iso = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  return new Date(`${iso}T00:00:00Z`);
}

function addDays(day, days) {
  const d = new Date(day);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}

const pad = (n) => String(n).padStart(2, '0');
const danishDate = (day) => `${pad(day.getUTCDate())}.${pad(day.getUTCMonth() + 1)}.${day.getUTCFullYear()}`;
const isoDate = (day) => day.toISOString().slice(0, 10);
const at = (day, hhmm) => `${isoDate(day)}T${hhmm}`;

const TODAY = copenhagenToday();

const BUC = 'Børne- og Ungdomspsykiatrisk Center Glostrup';
const PPR = 'PPR København';
const GP_PRACTICE = { name: 'Lægehuset Nørrebro', sor: '999010100017', ean: '0201010000176' };

// What the people in the journey write, so each page can be checked for it.
const CHILD_VIEW = 'Han siger selv, at han er træt af at være ked af det hele tiden og gerne vil have hjælp.';
const FAMILY_VIEW = 'Forældrene er bekymrede og ønsker en udredning hurtigst muligt.';
const RETURN_ADVICE =
  'Tristheden vurderes at kunne behandles i kommunen: tilbyd et STIME-forløb om tristhed med tæt opfølgning, og henvis igen ved selvskade.';
const KIT_GOALS = 'Freja kommer i skole alle dage og kan fremlægge i klassen med støtte.';
const BUC_TASK = 'Vurdere behov for medicin';
const MUNICIPALITY_TASK = 'Indkalde til næste netværksmøde';
const PPR_TASK = 'Tilrettelægge fremlæggelser i klassen';
const ADVICE_QUESTION = 'Kan samtalerne om bekymring begynde, mens I vurderer, om hun skal have medicin?';
const ADVICE_ANSWER = 'Ja: begynd samtalerne nu. Vi ser hende i næste uge og vender tilbage, hvis medicin bliver aktuelt.';

function region(page, name) {
  return page.getByRole('region', { name, exact: true });
}

async function assertNotFound(page, url, what) {
  const response = await page.goto(url);
  assert.equal(response.status(), 404, `${what}: ${url}`);
}

/** The Danish error summary of a refused form, as one line. */
async function errorSummary(page) {
  const alert = page.getByRole('alert');
  assert.ok((await alert.count()) >= 1, `an error summary on ${page.url()}`);
  return normalize(await alert.first().innerText());
}

/** Records a written consent on the child's "Samtykke og deling" page, given today by whoever decides at the child's age. */
async function recordConsent(page, { recipient, categories, purpose }) {
  await page.getByText('Registrér samtykke', { exact: true }).click();
  const form = page.locator('form[action$="/lawful-basis/consent"]');
  await selectOptionStartingWith(form.getByLabel('Modtager', { exact: true }), `${recipient} (`);
  for (const category of categories) await form.getByLabel(category, { exact: true }).check();
  await form.getByLabel('Formål', { exact: true }).fill(purpose);
  await form.getByLabel('Skriftligt', { exact: true }).check();
  await form.getByLabel('Givet den', { exact: true }).fill(isoDate(TODAY));
  // Under 15 the custody holders consent; from 15 the young person does.
  const age = Number((await visibleText(page)).match(/· (\d+) år/)[1]);
  const givers = form.getByRole('group', { name: 'Givet af', exact: true }).getByRole('checkbox');
  const labels = await form.getByRole('group', { name: 'Givet af', exact: true }).locator('label').allInnerTexts();
  let given = 0;
  for (const [i, label] of labels.entries()) {
    if (age < 15 ? label.includes('(forældremyndighed)') : label.trim() === 'Barnet / den unge') {
      await givers.nth(i).check();
      given += 1;
    }
  }
  assert.ok(given >= 1, `someone who may consent at ${age} gives the consent: ${labels}`);
  const response = await clickAndWait(page, form.getByRole('button', { name: 'Registrér', exact: true }));
  assert.equal(response.status(), 200, 'recording the consent');
  const consents = (await tableRows(region(page, 'Samtykker'))).map((r) => r.join(' | '));
  assert.ok(
    consents.some((r) => r.startsWith(recipient) && r.includes('Aktivt')),
    `an active consent to ${recipient}: ${JSON.stringify(consents)}`,
  );
}

/** Waits for the server's MedCom round to put a letter with `topic` about `child` in the open inbox. */
async function waitForLetter(page, child, topic) {
  for (let tries = 0; tries < 30; tries += 1) {
    await page.goto(new URL('/medcom', page.url()).href);
    const inbox = page.locator('section', { has: page.getByRole('heading', { name: 'Indbakke', exact: true }) });
    const rows = (await tableRows(inbox)).slice(1);
    const row = rows.find((r) => r[2] === child && r[3].startsWith(topic));
    if (row) return row;
    await sleep(500);
  }
  assert.fail(`no "${topic}" about ${child} in the MedCom inbox after 15 s`);
}

let server;
let browser;
let session;

describe('partnership', () => {
  before(
    async () => {
      // MedCom letters leave every second instead of every half minute.
      server = await startServer({ serverArgs: () => ['--medcom-interval-seconds', '1'] });
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

  test("municipality, child psychiatry, PPR and the GP work one child's course together on the family's consent", { timeout: 240_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    const rules = await repoJson('partnership/rules.json');
    const page = (p) => session.lookAt(p);
    const coordinator = await session.newPage();
    const buc = await session.newPage();
    let referredChild;
    let referredCourseUrl;
    let referralUrl;
    let kitChild;
    let kitCourseUrl;
    let kitChildUrl;

    await step('1. a referral without a reason and without a basis for BUC is refused in Danish, and nothing is sent', async () => {
      page(coordinator);
      const response = await login(coordinator, server.url, COORDINATOR_KOBENHAVN.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await clickAndWait(coordinator, coordinator.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Henvisninger', exact: true }));
      assert.equal(pathOf(coordinator.url()), '/psychiatry-referrals');
      await assertShows(coordinator, 'Ingen henvisninger.');

      // The demo's course decided at visitation to go to child psychiatry: its
      // municipal part is completed, and the letter waits to be written and sent.
      await coordinator.goto(`${server.url}courses`);
      const filters = coordinator.getByRole('form', { name: 'Filtrér forløb', exact: true });
      await filters.getByLabel('Status', { exact: true }).selectOption({ label: 'Afsluttet' });
      await filters.getByLabel('Tema', { exact: true }).selectOption({ label: 'Selvskade' });
      await clickAndWait(coordinator, filters.getByRole('button', { name: 'Filtrér', exact: true }));
      const rows = (await tableRows(coordinator, 'table.worklist')).slice(1);
      // Sadness and self-harm: the themes of the demo's course referred on.
      const ours = rows.filter(([, , , themes, , , decided]) => themes === 'Selvskade, Tristhed' && decided === 'Ja');
      assert.equal(ours.length, 1, `one completed course about self-harm and sadness: ${JSON.stringify(rows)}`);
      referredChild = ours[0][0];
      await clickAndWait(coordinator, coordinator.locator('table.worklist').getByRole('link', { name: referredChild, exact: true }));
      referredCourseUrl = coordinator.url();
      await assertShows(coordinator, 'Visitationsafgørelse: Henvisning til børne- og ungdomspsykiatrien');

      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Skriv og send henvisningen', exact: true }));
      assert.equal(pathOf(coordinator.url()), `${pathOf(referredCourseUrl)}/psychiatry-referral`);
      await assertH1(coordinator, 'Henvis til børne- og ungdomspsykiatrien');
      const reason = coordinator.getByLabel('Årsag til henvisningen', { exact: true });
      assert.ok((await reason.inputValue()).length > 20, 'the reason is prefilled from the visitation');
      await checkA11y(coordinator, 'referral send form');

      await coordinator.getByLabel('Til', { exact: true }).selectOption({ label: BUC });
      await reason.fill('');
      await coordinator.getByLabel('Barnets eget syn', { exact: true }).fill(CHILD_VIEW);
      await coordinator.getByLabel('Familiens syn', { exact: true }).fill(FAMILY_VIEW);
      const refused = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Send henvisningen', exact: true }));
      assert.equal(refused.status(), 422, 'the referral is refused');
      const summary = await errorSummary(coordinator);
      assert.ok(summary.includes('Feltet skal udfyldes.'), `the missing reason is named: ${summary}`);
      assert.ok(
        summary.includes(`Intet samtykke eller lovgrundlag giver ${BUC} adgang til Henvendelse og forløb, Spørgeskemaresultater nu`),
        `the missing basis for BUC is named: ${summary}`,
      );
      assert.equal(await reason.getAttribute('aria-invalid'), 'true', 'the reason is marked invalid');
      assert.equal(await coordinator.getByLabel('Familiens syn', { exact: true }).inputValue(), FAMILY_VIEW, 'the input is kept');
      await checkA11y(coordinator, 'refused referral');

      await coordinator.goto(`${server.url}psychiatry-referrals`);
      await assertShows(coordinator, 'Ingen henvisninger.');
    });

    await step('2. with the parents\' consent to BUC recorded, the referral is sent and the course shared', async () => {
      await coordinator.goto(referredCourseUrl);
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til barnet', exact: true }).first());
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Samtykke og deling', exact: true }));
      await assertH1Contains(coordinator, 'Samtykke og deling');
      await recordConsent(coordinator, {
        recipient: BUC,
        categories: ['Henvendelse og forløb', 'Spørgeskemaresultater'],
        purpose: 'Udredning i børne- og ungdomspsykiatrien efter henvisning fra visitationen',
      });

      await coordinator.goto(`${referredCourseUrl}/psychiatry-referral`);
      await coordinator.getByLabel('Til', { exact: true }).selectOption({ label: BUC });
      await coordinator.getByLabel('Barnets eget syn', { exact: true }).fill(CHILD_VIEW);
      await coordinator.getByLabel('Familiens syn', { exact: true }).fill(FAMILY_VIEW);
      const sent = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Send henvisningen', exact: true }));
      assert.equal(sent.status(), 200, 'sending the referral');
      assert.match(pathOf(coordinator.url()), /^\/psychiatry-referrals\/[0-9a-f-]{36}$/);
      referralUrl = coordinator.url().replace(/\?.*$/, '');
      await assertH1(coordinator, `Henvisning: ${referredChild}`);
      const facts = await factsOf(coordinator);
      assert.equal(facts.Til, BUC);
      assert.equal(facts.Modtaget, danishDate(TODAY));
      assert.equal(facts.Svarfrist, danishDate(addDays(TODAY, rules.referral_answer_days.value)));
      assert.equal(facts.Status, 'Venter på svar');
      assert.equal(facts['Barnets eget syn'], CHILD_VIEW);
      await checkA11y(coordinator, 'sent referral');

      await coordinator.goto(referredCourseUrl);
      await assertShows(coordinator, `Delt med ${BUC} – samtykke`);
    });

    await step('3. BUC finds the referral in its queue with its deadline; a return without a way is refused', async () => {
      page(buc);
      const response = await login(buc, server.url, PSYCHOLOGIST_BUC.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      const due = danishDate(addDays(TODAY, rules.referral_answer_days.value));
      const waiting = normalize(await region(buc, 'Henvisninger, der venter på jer').innerText());
      assert.match(waiting, new RegExp(`${referredChild} \\(\\d+ år\\) – København – Svarfrist ${due.replace(/\./g, '\\.')}`), waiting);
      await clickAndWait(buc, region(buc, 'Henvisninger, der venter på jer').getByRole('link', { name: 'Henvisninger til børne- og ungdomspsykiatrien', exact: true }));
      assert.equal(pathOf(buc.url()), '/psychiatry-referrals');
      await assertShows(buc, 'Henvisninger til jeres enhed med modtagelsesdato og svarfrist');
      const rows = (await tableRows(buc)).slice(1);
      const ours = rows.filter((r) => r[0] === referredChild);
      assert.equal(ours.length, 1, `the referral is in the queue: ${JSON.stringify(rows)}`);
      const [child, , from, received, dueOn, status] = ours[0];
      assert.deepEqual([child, from, received, dueOn, status], [referredChild, 'København', danishDate(TODAY), due, 'Venter på svar']);
      await checkA11y(buc, 'BUC intake queue');

      await clickAndWait(buc, buc.locator('table').getByRole('link', { name: referredChild, exact: true }));
      assert.equal(buc.url(), referralUrl);
      const facts = await factsOf(buc);
      assert.equal(facts['Familiens syn'], FAMILY_VIEW, 'BUC reads the letter');
      await checkA11y(buc, 'referral to answer');

      await buc.getByLabel('Returnér med råd', { exact: true }).check();
      const refused = await clickAndWait(buc, buc.getByRole('button', { name: 'Gem svaret', exact: true }));
      assert.equal(refused.status(), 422, 'a return without a way is refused');
      const summary = await errorSummary(buc);
      assert.ok(summary.includes('Vælg, hvor familien vejledes hen.'), `the missing way is named in Danish: ${summary}`);
      assert.equal(await buc.locator('#way_destination').getAttribute('aria-invalid'), 'true');
      await checkA11y(buc, 'refused return');
      const look = page(await buc.context().newPage());
      await look.goto(referralUrl);
      assert.equal((await factsOf(look)).Status, 'Venter på svar', 'nothing was saved');
      await look.close();
      page(buc);
    });

    await step('4. BUC returns the referral with a way and advice; the coordinator has it as a task until handled', async () => {
      const destination = buc.getByLabel('Vejen frem for familien', { exact: true });
      await destination.selectOption('other_offer_home');
      const way = normalize(await destination.locator('option:checked').innerText());
      await buc.getByLabel('Råd til kommunen', { exact: true }).fill(RETURN_ADVICE);
      const saved = await clickAndWait(buc, buc.getByRole('button', { name: 'Gem svaret', exact: true }));
      assert.equal(saved.status(), 200);
      assert.equal((await factsOf(buc)).Status, 'Returneret – skal håndteres');
      await buc.goto(server.url);
      const stillWaiting = region(buc, 'Henvisninger, der venter på jer');
      const waitingText = (await stillWaiting.count()) ? normalize(await stillWaiting.innerText()) : '';
      assert.ok(!waitingText.includes(referredChild), `the answered referral has left the front page: ${waitingText}`);

      page(coordinator);
      await coordinator.goto(server.url);
      const task = region(coordinator, 'Henvisninger, der venter på jer');
      assert.equal(normalize(await task.getByRole('listitem').first().innerText()), `${referredChild} – returneret med råd af ${BUC}`);
      await checkA11y(coordinator, 'front page with the returned referral');
      await clickAndWait(coordinator, task.getByRole('link', { name: `${referredChild} – returneret med råd af ${BUC}`, exact: true }));
      const returned = await factsOf(coordinator);
      assert.equal(returned['Vejen frem for familien'], way);
      assert.equal(returned['Råd til kommunen'], RETURN_ADVICE);
      await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Markér som håndteret', exact: true }));
      assert.equal((await factsOf(coordinator)).Status, 'Returneret – håndteret');
      await coordinator.goto(server.url);
      assert.equal(await region(coordinator, 'Henvisninger, der venter på jer').count(), 0, 'the task is gone once handled');
    });

    await step('5. a second referral, decided at today\'s visitation meeting, is sent on consent and accepted by BUC', async () => {
      page(coordinator);
      // The demo's course waiting for visitation: referred by a hospital about body and food.
      await coordinator.goto(`${server.url}courses?theme=body_food&undecided=1`);
      const rows = (await tableRows(coordinator, 'table.worklist')).slice(1);
      const ours = rows.filter(([, , source]) => source === 'Hospital');
      assert.equal(ours.length, 1, `one undecided hospital referral about body and food: ${JSON.stringify(rows)}`);
      const child = ours[0][0];
      await clickAndWait(coordinator, coordinator.locator('table.worklist').getByRole('link', { name: child, exact: true }));
      const courseUrl = coordinator.url();
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til visitationsafgørelsen', exact: true }).first());
      await coordinator.getByLabel('Henvisning til børne- og ungdomspsykiatrien', { exact: true }).check();
      const way = coordinator.getByRole('group', { name: 'Vejen videre', exact: true });
      await way.getByLabel('Hvor vejledes familien hen', { exact: true }).selectOption({ label: 'Børne- og ungdomspsykiatri' });
      await way.getByLabel('Hvad har familien fået at vide', { exact: true }).fill('Spiseforstyrrelsen skal udredes i børne- og ungdomspsykiatrien; familien ringer til egen læge, hvis vægten falder.');
      const decided = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Træf afgørelse', exact: true }));
      assert.equal(decided.status(), 200, 'the decision to refer');

      await coordinator.goto(courseUrl);
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til barnet', exact: true }).first());
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Samtykke og deling', exact: true }));
      await recordConsent(coordinator, {
        recipient: BUC,
        categories: ['Henvendelse og forløb', 'Spørgeskemaresultater'],
        purpose: 'Udredning for spiseforstyrrelse i børne- og ungdomspsykiatrien',
      });
      await coordinator.goto(courseUrl);
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Skriv og send henvisningen', exact: true }));
      await coordinator.getByLabel('Til', { exact: true }).selectOption({ label: BUC });
      await coordinator.getByLabel('Barnets eget syn', { exact: true }).fill('Vil gerne have det bedre med mad, men er bange for at tage på.');
      await coordinator.getByLabel('Familiens syn', { exact: true }).fill('Forældrene ønsker udredning.');
      const sent = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Send henvisningen', exact: true }));
      assert.equal(sent.status(), 200, 'sending the second referral');
      const secondUrl = coordinator.url().replace(/\?.*$/, '');

      page(buc);
      await buc.goto(`${server.url}psychiatry-referrals`);
      const queue = (await tableRows(buc)).slice(1);
      const row = queue.find((r) => r[0] === child);
      assert.ok(row, `the second referral is in the queue: ${JSON.stringify(queue)}`);
      assert.equal(row[5], 'Venter på svar');
      await clickAndWait(buc, buc.locator('table').getByRole('link', { name: child, exact: true }));
      assert.equal(buc.url(), secondUrl);
      await buc.getByLabel('Modtag henvisningen', { exact: true }).check();
      await buc.getByLabel('Bemærkning til modtagelsen', { exact: true }).fill('Familien indkaldes til første samtale inden for to uger.');
      const accepted = await clickAndWait(buc, buc.getByRole('button', { name: 'Gem svaret', exact: true }));
      assert.equal(accepted.status(), 200);
      assert.equal((await factsOf(buc)).Status, 'Modtaget af psykiatrien');

      page(coordinator);
      await coordinator.goto(`${server.url}psychiatry-referrals`);
      const sentRows = (await tableRows(coordinator)).slice(1).map(([name, , to, , , status]) => [name, to, status]);
      assert.deepEqual(
        sentRows.sort(),
        [[child, BUC, 'Modtaget af psykiatrien'], [referredChild, BUC, 'Returneret – håndteret']].sort(),
        'the municipality follows both referrals',
      );
      await checkA11y(coordinator, 'referrals sent by the municipality');
      await coordinator.goto(server.url);
      assert.equal(await region(coordinator, 'Henvisninger, der venter på jer').count(), 0, 'an accepted referral is no task');
    });

    await step('6. the coordinator finds a course shared with BUC on consent and records the parents\' consent to PPR', async () => {
      await coordinator.goto(`${server.url}courses`);
      const filters = coordinator.getByRole('form', { name: 'Filtrér forløb', exact: true });
      await filters.getByLabel('Tema', { exact: true }).selectOption({ label: 'Bekymring' });
      await clickAndWait(coordinator, filters.getByRole('button', { name: 'Filtrér', exact: true }));
      const rows = (await tableRows(coordinator, 'table.worklist')).slice(1);
      // The demo's course decided onto the worry and sadness track today.
      const ours = rows.filter(([, , source, , , , decided, status]) => source === 'Skole eller PPR' && decided === 'Ja' && status === 'Aktivt');
      assert.equal(ours.length, 1, `one decided school referral about worry: ${JSON.stringify(rows)}`);
      kitChild = ours[0][0];
      await clickAndWait(coordinator, coordinator.locator('table.worklist').getByRole('link', { name: kitChild, exact: true }));
      kitCourseUrl = coordinator.url();
      await assertShows(coordinator, `Delt med ${BUC} – samtykke`);
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til barnet', exact: true }).first());
      kitChildUrl = coordinator.url();
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Samtykke og deling', exact: true }));
      await recordConsent(coordinator, {
        recipient: PPR,
        categories: ['Henvendelse og forløb', 'Plan'],
        purpose: 'Fælles KIT-plan for støtte i skolen',
      });
      await checkA11y(coordinator, 'lawful basis with the consent to PPR');
    });

    const kit = await session.newPage();
    let kitUrl;

    await step('7. the KIT coordinator writes one shared plan with the municipality, BUC and PPR', async () => {
      page(kit);
      const response = await login(kit, server.url, KIT_KOBENHAVN.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await kit.goto(kitCourseUrl);
      await clickAndWait(kit, kit.getByRole('link', { name: 'KIT – koordineret forløb', exact: true }).first());
      kitUrl = kit.url();
      assert.equal(pathOf(kitUrl), `${pathOf(kitCourseUrl)}/kit`);
      await assertH1(kit, `KIT – koordineret forløb: ${kitChild}`);
      await assertShows(kit, 'Forløbet har ingen KIT-plan.');
      await checkA11y(kit, 'KIT page without a plan');

      await kit.getByLabel('Mål', { exact: true }).fill(KIT_GOALS);
      await kit.getByLabel('Næste opfølgning', { exact: true }).fill(isoDate(addDays(TODAY, 28)));
      const party = (legend) => kit.getByRole('group', { name: legend, exact: true });
      await party('Kommunen').getByLabel('Kontaktperson', { exact: true }).fill('Søren, koordinator');
      await party('Kommunen').getByLabel('Hvem gør hvad', { exact: true }).fill('Samtaler om bekymring og koordinering');
      await party('Børne- og ungdomspsykiatrien').getByLabel('Ansvarlig organisation', { exact: true }).selectOption({ label: BUC });
      await party('Børne- og ungdomspsykiatrien').getByLabel('Kontaktperson', { exact: true }).fill('Psykolog, BUC');
      await party('Børne- og ungdomspsykiatrien').getByLabel('Hvem gør hvad', { exact: true }).fill('Vurdering af medicin');
      await party('Skole / PPR').getByLabel('Ansvarlig organisation', { exact: true }).selectOption({ label: PPR });
      await party('Skole / PPR').getByLabel('Kontaktperson', { exact: true }).fill('PPR-psykolog');
      await party('Skole / PPR').getByLabel('Hvem gør hvad', { exact: true }).fill('Støtte i klassen');
      const saved = await clickAndWait(kit, kit.getByRole('button', { name: 'Gem planen', exact: true }));
      assert.equal(saved.status(), 200, 'saving the plan');
      const plan = region(kit, 'Planen');
      assert.equal((await factsOf(plan)).Mål, KIT_GOALS);
      const parties = (await tableRows(plan)).slice(1).map((r) => r[1]);
      assert.deepEqual(parties, ['København', BUC, PPR], 'three organisations in the plan');
      await checkA11y(kit, 'KIT page with the plan');
    });

    await step('8. a network meeting hands out tasks; a task without an owner is refused and nothing is saved', async () => {
      const form = region(kit, 'Registrér netværksmøde');
      const participants = ['Søren, koordinator, København', 'Psykolog, BUC Glostrup', 'PPR-psykolog, PPR København', 'Mor og far'].join('\n');
      await form.getByLabel('Mødedato', { exact: true }).fill(isoDate(TODAY));
      await form.getByLabel('Deltagere', { exact: true }).fill(participants);
      await form.getByLabel('Dagsorden', { exact: true }).fill('Status på skolegang og behov for medicin');
      await form.getByLabel('Beslutninger', { exact: true }).fill('BUC vurderer medicin; kommunen indkalder igen');
      const task = (n) => form.getByRole('group', { name: `Opfølgningsopgave ${n}`, exact: true });
      await task(1).getByLabel('Opgave', { exact: true }).fill(BUC_TASK);
      await task(1).getByLabel('Frist', { exact: true }).fill(isoDate(addDays(TODAY, 7)));
      await task(2).getByLabel('Opgave', { exact: true }).fill(MUNICIPALITY_TASK);
      await task(2).getByLabel('Ansvarlig organisation', { exact: true }).selectOption({ label: 'København' });
      await task(2).getByLabel('Frist', { exact: true }).fill(isoDate(addDays(TODAY, 21)));
      const refused = await clickAndWait(kit, kit.getByRole('button', { name: 'Gem mødet', exact: true }));
      assert.equal(refused.status(), 422, 'a task without an owner is refused');
      assert.match(await errorSummary(kit), /En opgave skal have en ejer: vælg den organisation, der er ansvarlig for den\./);
      assert.equal(await task(1).getByLabel('Opgave', { exact: true }).inputValue(), BUC_TASK, 'the input is kept');
      await checkA11y(kit, 'refused network meeting');
      const look = page(await kit.context().newPage());
      await look.goto(kitUrl);
      assert.ok((await region(look, 'Netværksmøder').innerText()).includes('Ingen møder endnu.'), 'no meeting was saved');
      assert.ok((await region(look, 'Opgaver').innerText()).includes('Ingen opgaver.'), 'no task was saved');
      await look.close();
      page(kit);

      await task(1).getByLabel('Ansvarlig organisation', { exact: true }).selectOption({ label: BUC });
      const saved = await clickAndWait(kit, kit.getByRole('button', { name: 'Gem mødet', exact: true }));
      assert.equal(saved.status(), 200, 'saving the meeting');
      const meeting = await factsOf(region(kit, 'Netværksmøder'));
      assert.equal(meeting.Mødedato, danishDate(TODAY));
      for (const who of ['København', 'BUC Glostrup', 'PPR København']) assert.ok(meeting.Deltagere.includes(who), `${who} took part: ${meeting.Deltagere}`);

      const give = region(kit, 'Giv en opgave');
      await give.getByLabel('Opgave', { exact: true }).fill(PPR_TASK);
      await give.getByLabel('Ansvarlig organisation', { exact: true }).selectOption({ label: PPR });
      await give.getByLabel('Ansvarlig person', { exact: true }).fill('PPR-psykolog');
      await give.getByLabel('Frist', { exact: true }).fill(isoDate(addDays(TODAY, 14)));
      const given = await clickAndWait(kit, give.getByRole('button', { name: 'Gem opgaven', exact: true }));
      assert.equal(given.status(), 200, 'giving the task');
      const tasks = (await tableRows(region(kit, 'Opgaver'))).slice(1).map(([title, owner, due, status]) => [title, owner, due, status]);
      const expected = [
        [BUC_TASK, BUC, danishDate(addDays(TODAY, 7)), 'Åben'],
        // A named person stands beside the owning organisation.
        [PPR_TASK, `${PPR} (PPR-psykolog)`, danishDate(addDays(TODAY, 14)), 'Åben'],
        [MUNICIPALITY_TASK, 'København', danishDate(addDays(TODAY, 21)), 'Åben'],
      ];
      for (const e of expected) {
        assert.ok(
          tasks.some((r) => r[0] === e[0] && r[1] === e[1] && r[2] === e[2] && r[3].startsWith(e[3])),
          `task ${e[0]} owned by ${e[1]} due ${e[2]}: ${JSON.stringify(tasks)}`,
        );
      }
      await checkA11y(kit, 'KIT page with the meeting and tasks');
    });

    await step('9. BUC sees its task on its front page and marks it done; only the owner may', async () => {
      page(buc);
      await buc.goto(server.url);
      const tasks = region(buc, 'KIT-opgaver');
      const line = normalize(await tasks.innerText());
      assert.ok(line.includes(BUC_TASK), `BUC's task is on its front page: ${line}`);
      assert.ok(!line.includes(PPR_TASK) && !line.includes(MUNICIPALITY_TASK), `only BUC's own task: ${line}`);
      await checkA11y(buc, 'BUC front page with a KIT task');
      await clickAndWait(buc, tasks.getByRole('link').filter({ hasText: BUC_TASK }).first());
      assert.equal(buc.url(), kitUrl);
      assert.equal((await factsOf(region(buc, 'Planen'))).Mål, KIT_GOALS, 'BUC reads the shared plan');
      const rows = region(buc, 'Opgaver').locator('tbody tr');
      const mine = rows.filter({ hasText: BUC_TASK });
      assert.equal(await rows.filter({ hasText: PPR_TASK }).getByRole('button').count(), 0, 'BUC cannot mark PPR\'s task');
      await checkA11y(buc, 'KIT page as BUC');
      await clickAndWait(buc, mine.getByRole('button', { name: 'Markér som udført', exact: true }));
      assert.ok(normalize(await mine.innerText()).includes('Udført'), 'the task is done');
      await buc.goto(server.url);
      const after = region(buc, 'KIT-opgaver');
      assert.ok(!(await after.count()) || !(await after.innerText()).includes(BUC_TASK), 'a done task leaves the front page');
    });

    await step('10. the coordinator asks BUC for advice about the course; BUC answers and the coordinator reads it', async () => {
      page(coordinator);
      await coordinator.goto(kitCourseUrl);
      await clickAndWait(coordinator, region(coordinator, 'Sparring om forløbet').getByRole('link', { name: 'Bed om sparring', exact: true }));
      await assertH1(coordinator, 'Bed om sparring');
      await assertShows(coordinator, `Spørgsmålet gælder barnets forløb: ${kitChild}`);
      await coordinator.getByLabel('Til', { exact: true }).selectOption({ label: BUC });
      await coordinator.getByLabel('Spørgsmål', { exact: true }).fill(ADVICE_QUESTION);
      await checkA11y(coordinator, 'advice form about a course');
      await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Send spørgsmålet', exact: true }));
      await assertH1(coordinator, 'Sparring');
      const asked = await factsOf(coordinator);
      assert.equal(asked.Status, 'Venter på svar');
      const adviceUrl = coordinator.url().replace(/\?.*$/, '');

      page(buc);
      await buc.goto(server.url);
      await clickAndWait(buc, buc.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'Sparring', exact: true }));
      const rows = (await tableRows(buc)).slice(1);
      const row = rows.find((r) => r[2].startsWith(ADVICE_QUESTION.slice(0, 40)));
      assert.ok(row, `the question is in BUC's queue: ${JSON.stringify(rows)}`);
      assert.equal(row[3], 'København');
      await checkA11y(buc, 'BUC advice queue');
      await clickAndWait(buc, buc.locator('table').getByRole('link').filter({ hasText: ADVICE_QUESTION.slice(0, 40) }));
      assert.equal(buc.url(), adviceUrl);
      await buc.getByLabel('Svar', { exact: true }).fill(ADVICE_ANSWER);
      await clickAndWait(buc, buc.getByRole('button', { name: 'Send svaret', exact: true }));
      assert.ok((await factsOf(buc)).Status.startsWith('Besvaret'), 'answered');

      page(coordinator);
      await coordinator.goto(server.url);
      const answers = region(coordinator, 'Nye svar på sparring');
      assert.ok((await answers.count()) === 1, 'new answers are on the front page');
      await clickAndWait(coordinator, answers.locator(`a[href="${pathOf(adviceUrl)}"]`));
      await assertShows(coordinator, ADVICE_ANSWER);
      await checkA11y(coordinator, 'answered advice');
      await coordinator.goto(kitCourseUrl);
      assert.ok((await region(coordinator, 'Sparring om forløbet').innerText()).includes(ADVICE_ANSWER), 'the answer is on the course page');
    });

    const therapist = await session.newPage();
    const gp = await session.newPage();

    await step('11. the first session sends the start letter to the GP practice in Samspor', async () => {
      page(coordinator);
      await coordinator.goto(kitChildUrl);
      const child = await factsOf(coordinator);
      assert.equal(
        child['Egen læge'],
        `${GP_PRACTICE.name} (Ydernummer 003107, SOR ${GP_PRACTICE.sor}, EAN ${GP_PRACTICE.ean}) Registrér egen læge`,
        'the child\'s GP practice is the one in Samspor',
      );

      page(gp);
      assert.equal((await login(gp, server.url, GP_NORREBRO.email, DEMO_PASSWORD)).status(), 200);
      await clickAndWait(gp, gp.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'MedCom', exact: true }));
      const before = normalize(await gp.locator('section', { has: gp.getByRole('heading', { name: 'Indbakke' }) }).innerText());
      assert.ok(!before.includes(kitChild), `no letter about ${kitChild} before treatment starts: ${before}`);

      page(therapist);
      assert.equal((await login(therapist, server.url, THERAPIST_KOBENHAVN.email, DEMO_PASSWORD)).status(), 200);
      await therapist.goto(`${kitCourseUrl}/treatment`);
      for (const [i, daysAgo] of [5, 4, 3, 2, 1].entries()) {
        const f = region(therapist, 'Registrér session');
        await f.getByLabel('Sessionen blev holdt (dato og klokkeslæt)', { exact: true }).fill(at(addDays(TODAY, -daysAgo), '10:00'));
        await f.getByLabel('Planlagt session', { exact: true }).selectOption(String(i + 1));
        await f.getByLabel('Leveringstype', { exact: true }).selectOption('individual');
        await f.getByLabel('Deltagere', { exact: true }).selectOption('child_present');
        await f.getByLabel('Barnet', { exact: true }).check();
        await f.getByLabel('Mor', { exact: true }).check();
        await f.getByLabel('Journalnotat', { exact: true }).fill(`Session ${i + 1} gennemført.`);
        const response = await clickAndWait(therapist, f.getByRole('button', { name: 'Registrér session', exact: true }));
        assert.equal(response.status(), 200, `session ${i + 1}`);
        if (i === 0) {
          page(gp);
          await waitForLetter(gp, kitChild, 'Start på STIME-forløb');
          page(therapist);
        }
      }
    });

    await step('12. closing the course sends the end letter; the GP reads both letters in its inbox', async () => {
      page(therapist);
      const closedOn = addDays(TODAY, -1);
      const form = region(therapist, 'Afslut forløbet');
      await form.getByLabel('Afsluttende samtale (dato og klokkeslæt)', { exact: true }).fill(at(closedOn, '14:00'));
      await form.getByLabel('Afslutning (dato og klokkeslæt)', { exact: true }).fill(at(closedOn, '15:00'));
      await form.getByLabel('Årsag til afslutning', { exact: true }).selectOption('completed');
      await form.getByLabel('Kort opsummering af udbyttet', { exact: true }).fill('Mindre bekymret, fremlægger i klassen.');
      const closed = await clickAndWait(therapist, form.getByRole('button', { name: 'Afslut forløbet', exact: true }));
      assert.equal(closed.status(), 200, 'closing');

      page(gp);
      await waitForLetter(gp, kitChild, 'Afslutning af STIME-forløb');
      const inbox = gp.locator('section', { has: gp.getByRole('heading', { name: 'Indbakke' }) });
      const letters = (await tableRows(inbox)).slice(1).filter((r) => r[2] === kitChild);
      assert.deepEqual(
        letters.map((r) => [r[1], r[3]]).sort(),
        [['København', 'Afslutning af STIME-forløb ny'], ['København', 'Start på STIME-forløb ny']],
        `the start and end letters about ${kitChild}: ${JSON.stringify(letters)}`,
      );
      await checkA11y(gp, 'GP inbox with the start and end letters');
      const end = inbox.locator('tr', { hasText: kitChild }).filter({ hasText: 'Afslutning af STIME-forløb' });
      await clickAndWait(gp, end.getByRole('link'));
      const facts = await factsOf(gp);
      assert.match(JSON.stringify(facts), new RegExp(GP_PRACTICE.name));
      const text = normalize(await gp.locator('p.text').innerText());
      assert.match(text, /er afsluttet/, text);
      assert.match(text, /Antal behandlingssamtaler: 5/, text);
      await checkA11y(gp, 'GP reads the end letter');
    });

    await step('13. each party sees only what a basis covers', async () => {
      // Lægehuset Nørrebro gets the letters, but no consent covers the course for it.
      page(gp);
      await assertNotFound(gp, kitCourseUrl, 'the GP practice of the letters opens the course');
      await assertNotFound(gp, kitUrl, 'the GP practice of the letters opens the KIT page');
      await assertNotFound(gp, referralUrl, 'the GP practice opens the referral');

      const valby = page(await session.newPage());
      assert.equal((await login(valby, server.url, GP_VALBY.email, DEMO_PASSWORD)).status(), 200);
      await assertNotFound(valby, kitCourseUrl, 'another GP practice opens the course');
      await assertNotFound(valby, kitUrl, 'another GP practice opens the KIT page');
      await assertNotFound(valby, `${kitChildUrl}/gp-practice`, 'another GP practice opens the child\'s GP practice');

      // PPR reads the plan it is a party to on the parents' consent, and nothing it has no basis for.
      const ppr = page(await session.newPage());
      assert.equal((await login(ppr, server.url, PPR_KOBENHAVN.email, DEMO_PASSWORD)).status(), 200);
      const plan = await ppr.goto(kitUrl);
      assert.equal(plan.status(), 200, 'PPR opens the KIT page');
      assert.equal((await factsOf(region(ppr, 'Planen'))).Mål, KIT_GOALS);
      await assertNotFound(ppr, referredCourseUrl, 'PPR opens the course referred to child psychiatry');

      // A course of the municipality that is shared with nobody.
      page(coordinator);
      await coordinator.goto(`${server.url}courses?undecided=1`);
      const link = coordinator.locator('table.worklist tbody a[href^="/courses/"]').first();
      const unsharedUrl = new URL(await link.getAttribute('href'), server.url).href;
      await coordinator.goto(unsharedUrl);
      assert.ok(!(await visibleText(coordinator)).includes(`Delt med ${BUC}`), `${unsharedUrl} is not shared with BUC`);
      page(buc);
      await assertNotFound(buc, unsharedUrl, 'BUC opens a course not shared with it');
      await assertNotFound(buc, `${unsharedUrl}/kit`, 'BUC opens the KIT page of a course not shared with it');
      const shared = await buc.goto(kitCourseUrl);
      assert.equal(shared.status(), 200, 'BUC opens the course shared with it on consent');
      assert.ok((await visibleText(buc)).includes(kitChild));
    });
  });
});
