// The course journey through the Samspor UI, from a family's own request for
// help to the visitation decision: a parent self-refers through the public
// form, the coordinator opens a course from the intake queue, holds the
// Forsamtale and the Screening within their deadlines, sends the SDQ that
// decision support reads, and starts the child in the worry and sadness track.
// A second child, waiting for visitation in the demo, is guided to the GP:
// refused while the way forward is missing, saved once it is given. Each step
// builds on the one before, so a failed step skips the rest instead of piling
// up follow-on failures.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import { COORDINATOR_KOBENHAVN, DEMO_PASSWORD, KOBENHAVN } from '../lib/demo.js';
import {
  assertH1,
  assertH1Contains,
  assertScaleRow,
  assertShows,
  bandLabel,
  chooseAnswer,
  createSession,
  factsOf,
  normalize,
  pathOf,
  repoJson,
  scalesOf,
  selectOptionStartingWith,
  stepRunner,
  tableRows,
  whoAmI,
} from '../lib/journey.js';

// --- days as the server counts them -----------------------------------------

// Deadlines, "held on" days and ages are Danish calendar days on the server
// (Europe/Copenhagen), whatever time zone the test machine is in. A day is a
// Date at UTC midnight, so adding days never meets a daylight-saving change.
function copenhagenToday() {
  // en-CA writes dates as YYYY-MM-DD.
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
// As the pages write a day: 29.11.2026.
const danishDate = (day) => `${pad(day.getUTCDate())}.${pad(day.getUTCMonth() + 1)}.${day.getUTCFullYear()}`;
// As a date or datetime-local input holds it: 2026-11-29.
const isoDate = (day) => day.toISOString().slice(0, 10);

const TODAY = copenhagenToday();
// The waiting-time goals: Forsamtale within 14 days of the contact, Screening
// within 30, counted in calendar days (samspor_domain::course::waiting).
const FORSAMTALE_DUE = addDays(TODAY, 14);
const SCREENING_DUE = addDays(TODAY, 30);

// --- the family -------------------------------------------------------------

// The child is born on the 15th of this month nine years ago, so it is 8 or 9
// whenever the test runs: inside the SDQ parent form (4–17) and the worry and
// sadness track (6–17). A fixed CPR number would age out some day.
function childBornNineYearsAgo() {
  const year = TODAY.getUTCFullYear() - 9;
  const month = TODAY.getUTCMonth() + 1;
  const dd = '15';
  const mm = pad(month);
  const yy = pad(year % 100);
  const beforeBirthday = TODAY.getUTCDate() < 15;
  return {
    firstName: 'Asta',
    lastName: 'Henvisgaard',
    // Serial digit 7 of 5 places years 00–57 in the 2000s; the even last
    // digit makes a girl. The check digit is not tested, as for numbers
    // issued since 2007.
    cprDigits: `${dd}${mm}${yy}5322`,
    cpr: `${dd}${mm}${yy}-5322`,
    birthDate: `${dd}.${mm}.${year}`,
    age: beforeBirthday ? 8 : 9,
  };
}

const CHILD = childBornNineYearsAgo();
const CHILD_FULL_NAME = `${CHILD.firstName} ${CHILD.lastName}`;

// What the parent writes in the public form.
const FAMILY = {
  parentName: 'Lone Henvisgaard',
  phone: '21 43 65 87',
  worry:
    'Hun er blevet meget bekymret og ked af det det sidste halve år. Hun græder ofte ved sengetid, ' +
    'er bange for at der sker os noget, og vil helst ikke i skole om morgenen.',
  duration: 'Et halvt år',
  tried: 'Vi har talt med klasselæreren og sundhedsplejersken.',
};

// The respondent answers on a phone: no account, small touch screen.
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  locale: 'da-DK',
};

// The parent's SDQ answers, chosen so the emotional-symptoms scale points to
// the worry and sadness track (tracks/worry_sadness.json: indicated by the SDQ
// parent "emotional" scale in the bands "high" or "very_high") and nothing
// points elsewhere. Worked out by hand from instruments/sdq-parent-4-17.json,
// whose values are 0 "Passer ikke", 1 "Passer delvis", 2 "Passer helt", and
// whose reverse-scored items count 2 − v:
// - emotional (q3, q8, q13, q16, q24): aches 1, worries 2, sad 2, nervous in
//   new situations 1, many fears 2 = 8, band "very_high" (7–10);
// - conduct (q5, q7r, q12, q18, q22), hyperactivity (q2, q10, q15, q21r,
//   q25r) and peer (q6, q11r, q14r, q19, q23): 0 to the plain items and 2 to
//   the reversed ones, so every item counts 0 and each scale scores 0, "close
//   to average". Hyperactivity must stay low: the child is under 11, and
//   "high" would point to the restlessness track (3–10) as well;
// - prosocial (q1, q4, q9, q17, q20): 2 each = 10, "close to average" (8–10);
// - total difficulties = 8 + 0 + 0 + 0 = 8, "close to average" (0–13);
//   internalising = emotional + peer = 8, externalising = 0 (no bands);
// - impact: "difficulties" is "Ja, tydelige" (2), so the follow-on items
//   count, recoded 0, 0, 1, 2: distress "En hel del" (2 → 1), home "En hel
//   del" (2 → 1), friendships "Kun lidt" (1 → 0), classroom "Kun lidt"
//   (1 → 0), leisure "Slet ikke" (0 → 0) = 2, band "high" (2). Chronicity
//   and burden are asked but not summed.
const SDQ_ANSWERS = {
  q1: 2, q2: 0, q3: 1, q4: 2, q5: 0,
  q6: 0, q7: 2, q8: 2, q9: 2, q10: 0,
  q11: 2, q12: 0, q13: 2, q14: 2, q15: 0,
  q16: 1, q17: 2, q18: 0, q19: 0, q20: 2,
  q21: 2, q22: 0, q23: 0, q24: 2, q25: 2,
  difficulties: 2, chronicity: 2, distress: 2, home: 2,
  friendships: 1, classroom: 1, leisure: 0, burden: 2,
};
const SDQ_EXPECTED = [
  { scale: 'emotional', score: '8', band: 'very_high' },
  { scale: 'conduct', score: '0', band: 'close_to_average' },
  { scale: 'hyperactivity', score: '0', band: 'close_to_average' },
  { scale: 'peer', score: '0', band: 'close_to_average' },
  { scale: 'prosocial', score: '10', band: 'close_to_average' },
  { scale: 'total_difficulties', score: '8', band: 'close_to_average' },
  { scale: 'externalising', score: '0', band: null },
  { scale: 'internalising', score: '8', band: null },
  { scale: 'impact', score: '2', band: 'high' },
];

// What the coordinator tells the second family, guided to their GP.
const GP_NOTE =
  'Forsamtale og screening peger ikke på et kommunalt forløb nu. Familien er vejledt om at ' +
  'bestille tid hos egen læge og ved, at de kan henvende sig igen.';

let server;
let browser;
let session;

// --- small page helpers -----------------------------------------------------

const COURSE_PATH = /^\/courses\/[0-9a-f-]{36}$/;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function region(page, name) {
  return page.getByRole('region', { name, exact: true });
}

// The course page's waiting-time goals by name ("Forsamtale", "Screening").
async function goalsOf(page) {
  const rows = (await tableRows(region(page, 'Ventetid'))).slice(1);
  return Object.fromEntries(rows.map(([name, due, held, days, status]) => [name, { due, held, days, status }]));
}

// The course's timeline, one normalized text per entry.
async function timelineOf(page) {
  return region(page, 'Forløbet trin for trin')
    .locator('ol.timeline > li')
    .evaluateAll((items) => items.map((li) => li.innerText.replace(/\s+/g, ' ').trim()));
}

async function assertNotice(page, expected) {
  const notice = page.getByRole('status');
  assert.equal(await notice.count(), 1, `one notice on ${page.url()}`);
  assert.equal(normalize(await notice.innerText()), expected);
}

// The encounter form on the course page: type and time, nothing for treatment.
async function registerEncounter(page, type) {
  const form = region(page, 'Registrér kontakt');
  await form.getByLabel('Kontakttype', { exact: true }).selectOption({ label: type });
  // The time starts as now; a Forsamtale "today" keeps it, and a day in the
  // past or future would show as such in the goals below.
  const at = await form.getByLabel('Tidspunkt', { exact: true }).inputValue();
  assert.ok(at.startsWith(`${isoDate(TODAY)}T`), `the time is prefilled with today, not "${at}"`);
  const response = await clickAndWait(page, form.getByRole('button', { name: 'Registrér kontakt', exact: true }));
  assert.equal(response.status(), 200, `registering the ${type}`);
  assert.match(pathOf(page.url()), COURSE_PATH, 'back on the course page');
  await assertNotice(page, 'Kontakten er registreret.');
}

// The <li> of the decision support naming `track`, if any.
function indicatedTrack(page, trackName) {
  return page
    .getByRole('complementary', { name: 'Beslutningsstøtte', exact: true })
    .locator('ul.indicated > li')
    .filter({ has: page.locator(':scope > strong', { hasText: trackName }) });
}

// --- the journey ------------------------------------------------------------

describe('courses', () => {
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

  test('a self-referral becomes a course that is decided within its deadlines; a GP decision needs a way forward', { timeout: 300_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    const sdq = await repoJson('instruments/sdq-parent-4-17.json');
    const worrySadness = await repoJson('tracks/worry_sadness.json');
    const coordinator = await session.newPage();
    let coordinatorName;
    let receipt;
    let courseUrl;
    let childUrl;
    let questionnairesUrl;
    let invitationLink;
    let secondChild;
    let secondCourseUrl;

    await step('1. a parent asks for help through the public form, without an account', async () => {
      const family = await session.newPage();
      const first = await family.goto(`${server.url}henvendelse/${KOBENHAVN.code}`);
      assert.equal(first.status(), 200, 'the public form');
      await assertH1(family, 'Bed om hjælp til et barn eller en ung');
      await assertShows(family, `Kommune: ${KOBENHAVN.name}`);
      await checkA11y(family, 'public self-referral form');

      await family.getByLabel('Jeg er forælder til barnet eller den unge', { exact: true }).check();
      const child = family.getByRole('group', { name: 'Barnet eller den unge', exact: true });
      await child.getByLabel('Fornavn', { exact: true }).fill(CHILD.firstName);
      await child.getByLabel('Efternavn', { exact: true }).fill(CHILD.lastName);
      await child.getByLabel('CPR-nummer', { exact: true }).fill(CHILD.cpr);
      const you = family.getByRole('group', { name: 'Hvordan kan vi kontakte dig?', exact: true });
      await you.getByLabel('Dit navn', { exact: true }).fill(FAMILY.parentName);
      await you.getByLabel('Telefonnummer', { exact: true }).fill(FAMILY.phone);
      await family.getByLabel('Hvad er du bekymret for?', { exact: true }).fill(FAMILY.worry);
      await family.getByLabel('Hvor længe har det stået på? (valgfrit)', { exact: true }).fill(FAMILY.duration);
      await family.getByLabel('Hvad har I prøvet indtil nu? (valgfrit)', { exact: true }).fill(FAMILY.tried);
      const sent = await clickAndWait(family, family.getByRole('button', { name: 'Send til kommunen', exact: true }));
      assert.equal(sent.status(), 200, 'sending the form');

      assert.equal(pathOf(family.url()), `/henvendelse/${KOBENHAVN.code}/kvittering`, 'the receipt page');
      await assertH1(family, 'Tak – vi har modtaget din henvendelse');
      const facts = await factsOf(family, 'dl.receipt');
      receipt = facts.Kvitteringsnummer;
      assert.match(receipt ?? '', /^H-[A-Z0-9]{4}-[A-Z0-9]{4}$/, `a receipt number; the receipt shows ${JSON.stringify(facts)}`);
      assert.equal(facts['Sendt til'], KOBENHAVN.name, 'the receipt names the municipality');
      // A receipt left on a shared computer's screen must not tell the next
      // person who asked for help, so the page (markup too) holds none of it.
      const html = await family.content();
      const secrets = {
        'the first name': CHILD.firstName,
        'the last name': CHILD.lastName,
        'the CPR number': CHILD.cpr,
        'the CPR number without its dash': CHILD.cprDigits,
        'the phone number': FAMILY.phone,
        'the phone number without spaces': FAMILY.phone.replace(/\s/g, ''),
        "the parent's name": FAMILY.parentName,
      };
      for (const [what, secret] of Object.entries(secrets)) {
        assert.ok(!html.includes(secret), `the receipt does not contain ${what} (${secret})`);
      }
      await checkA11y(family, 'self-referral receipt');
      session.lookAt(coordinator);
    });

    await step('2. the coordinator finds it in the intake queue and opens a course', async () => {
      await login(coordinator, server.url, COORDINATOR_KOBENHAVN.email, DEMO_PASSWORD);
      await assertH1Contains(coordinator, 'Forside');
      coordinatorName = (await whoAmI(coordinator, server.url)).name.trim();
      await checkA11y(coordinator, 'front page with the intake queue');

      const queue = region(coordinator, 'Indgående forløb');
      await clickAndWait(coordinator, queue.getByRole('link', { name: 'Nye selvhenvisninger', exact: true }));
      assert.equal(pathOf(coordinator.url()), '/intake');
      await assertH1(coordinator, 'Nye henvendelser');
      const card = coordinator.locator('li.card').filter({
        has: coordinator.getByRole('heading', { name: `${CHILD_FULL_NAME}, ${CHILD.age} år`, exact: true }),
      });
      assert.equal(await card.count(), 1, `one self-referral for ${CHILD_FULL_NAME}, ${CHILD.age} år`);
      const facts = await factsOf(card, 'h2 + dl.facts');
      assert.ok(facts.Modtaget?.startsWith(danishDate(TODAY)), `received today; the card shows ${JSON.stringify(facts)}`);
      assert.equal(facts.Kvittering, receipt, 'the receipt number the family got');
      assert.equal(facts['Skrevet af'], 'Forælder');
      // A long worry is cut short on the card; "Hele henvendelsen" shows it all.
      assert.ok(FAMILY.worry.length > 160, 'the worry is long enough to be cut short');
      assert.ok(
        facts.Bekymring.endsWith('…') && FAMILY.worry.startsWith(facts.Bekymring.slice(0, -1)),
        `the beginning of the worry; the card shows "${facts.Bekymring}"`,
      );
      await card.getByText('Hele henvendelsen og kontaktoplysninger', { exact: true }).click();
      const details = await factsOf(card, 'details dl.facts');
      assert.equal(details.Bekymring, FAMILY.worry);
      assert.equal(details.Kontaktperson, FAMILY.parentName);
      assert.equal(details.Telefon, FAMILY.phone);
      assert.equal(details.Varighed, FAMILY.duration);
      assert.equal(details['Prøvet indtil nu'], FAMILY.tried);
      await checkA11y(coordinator, 'intake queue');

      const opened = await clickAndWait(coordinator, card.getByRole('button', { name: 'Opret forløb', exact: true }));
      assert.equal(opened.status(), 200, 'opening the course');
      assert.match(pathOf(coordinator.url()), COURSE_PATH, 'the new course page');
      courseUrl = coordinator.url();
      await assertH1(coordinator, `Forløb: ${CHILD_FULL_NAME}`);
      const course = await factsOf(coordinator, 'main > dl.facts');
      assert.equal(course.Barn, `${CHILD_FULL_NAME} (Fødselsdato ${CHILD.birthDate})`);
      assert.equal(course.Status, 'Aktivt');
      assert.equal(course.Startet, danishDate(TODAY));
      assert.equal(course.Afsluttet, '–');
      assert.equal(course.Spor, '–');

      const goals = await goalsOf(coordinator);
      assert.deepEqual(
        goals.Forsamtale,
        { due: danishDate(FORSAMTALE_DUE), held: '–', days: '0', status: 'Åben' },
        'the first conversation is due in 14 days',
      );
      assert.deepEqual(
        goals.Screening,
        { due: danishDate(SCREENING_DUE), held: '–', days: '0', status: 'Åben' },
        'the screening is due in 30 days',
      );
      const contact = await factsOf(region(coordinator, 'Henvendelsen'));
      assert.equal(contact.Henvender, 'Familien eller den unge selv');
      assert.equal(contact['Årsag til henvendelsen'], FAMILY.worry);
      assert.equal(contact.Samtykke, 'Samtykke givet', 'writing to the municipality is consent');
      assert.equal(contact['Kontakt til familien'], `${FAMILY.parentName}, ${FAMILY.phone}`);
      await checkA11y(coordinator, 'new course page');

      // Registered once, the request leaves the queue.
      await coordinator.goto(`${server.url}intake`);
      assert.equal(
        await coordinator.getByRole('heading', { name: `${CHILD_FULL_NAME}, ${CHILD.age} år` }).count(),
        0,
        'the registered self-referral is no longer in the queue',
      );
      await coordinator.goto(courseUrl);
    });

    await step('3. the Forsamtale is held today, within its deadline', async () => {
      await registerEncounter(coordinator, 'Forsamtale');
      const goals = await goalsOf(coordinator);
      assert.deepEqual(
        goals.Forsamtale,
        { due: danishDate(FORSAMTALE_DUE), held: danishDate(TODAY), days: '0', status: 'Overholdt' },
        'the first-conversation goal is met',
      );
      assert.equal(goals.Screening.status, 'Åben', 'the screening is still to come');
      const timeline = await timelineOf(coordinator);
      assert.ok(
        timeline.some((e) => e.includes('Forsamtale') && e.includes(`Registreret af: ${coordinatorName}`)),
        `the Forsamtale is on the timeline; entries: ${JSON.stringify(timeline)}`,
      );
      await checkA11y(coordinator, 'course page after the Forsamtale');
    });

    await step('4. the coordinator sends the parent an SDQ link', async () => {
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til barnet', exact: true }));
      await assertH1(coordinator, CHILD_FULL_NAME);
      childUrl = coordinator.url();
      // Only the birth date: the age on this page counts on the UTC date, so
      // it may lag the Danish one for an hour or two on the birthday.
      await assertShows(coordinator, CHILD.birthDate);
      // The parent who wrote became the child's guardian.
      const guardians = await tableRows(coordinator);
      assert.ok(
        guardians.some((cells) => cells[0] === FAMILY.parentName),
        `the parent is listed as a guardian; rows: ${JSON.stringify(guardians)}`,
      );
      await checkA11y(coordinator, 'child page of a self-referred child');

      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Spørgeskemaer', exact: true }));
      await assertH1(coordinator, `Spørgeskemaer: ${CHILD_FULL_NAME}`);
      questionnairesUrl = coordinator.url();
      assert.equal(pathOf(questionnairesUrl), `${pathOf(childUrl)}/questionnaires`);
      await selectOptionStartingWith(coordinator.getByLabel('Spørgeskema', { exact: true }), sdq.title);
      await selectOptionStartingWith(coordinator.getByLabel('Hvem skal svare', { exact: true }), FAMILY.parentName);
      const response = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Opret link', exact: true }));
      assert.equal(response.status(), 201, 'creating the link');
      await assertH1(coordinator, 'Link oprettet');
      invitationLink = normalize(await coordinator.locator('#invitation-link').innerText());
      assert.ok(invitationLink.startsWith(`${server.url}s/`), `a one-time link on this server: ${invitationLink}`);
    });

    await step('5. the parent answers the SDQ on a phone', async () => {
      const phone = await session.newPage(PHONE);
      const first = await phone.goto(invitationLink);
      assert.equal(first.status(), 200, `GET ${invitationLink}`);
      await assertH1(phone, sdq.title);
      const pages = sdq.item;
      for (const [index, group] of pages.entries()) {
        const pageNo = index + 1;
        await assertShows(phone, `Side ${pageNo} af ${pages.length}`);
        for (const question of group.item) {
          const value = SDQ_ANSWERS[question.linkId];
          assert.notEqual(value, undefined, `an answer for ${question.linkId}`);
          await chooseAnswer(phone, question.linkId, String(value), { tap: true });
        }
        const last = pageNo === pages.length;
        const button = phone.getByRole('button', { name: last ? 'Send svar' : 'Næste', exact: true });
        const response = await clickAndWait(phone, button);
        assert.equal(response.status(), 200, `after page ${pageNo}`);
      }
      await assertH1(phone, 'Tak for dine svar');
      session.lookAt(coordinator);

      await coordinator.goto(questionnairesUrl);
      const heading = new RegExp(`^${escapeRegExp(sdq.title)} – `);
      const card = coordinator.locator('section.card').filter({ has: coordinator.getByRole('heading', { name: heading }) });
      assert.equal(await card.count(), 1, 'one SDQ response');
      const rows = (await tableRows(card)).slice(1);
      assert.equal(rows.length, scalesOf(sdq).length, `a row for each SDQ scale; rows: ${JSON.stringify(rows)}`);
      for (const expected of SDQ_EXPECTED) assertScaleRow(rows, sdq, expected);
      await checkA11y(coordinator, 'questionnaires page with the SDQ');
    });

    await step('6. the Screening is held today, within its deadline', async () => {
      // Back to the course the way staff find it: from the child's courses.
      await coordinator.goto(childUrl);
      const courses = region(coordinator, 'Forløb');
      await clickAndWait(coordinator, courses.getByRole('link', { name: 'Barnets forløb', exact: true }));
      await assertH1(coordinator, `Forløb: ${CHILD_FULL_NAME}`);
      const rows = (await tableRows(coordinator)).slice(1);
      assert.deepEqual(rows, [[danishDate(TODAY), '–', 'Aktivt', '–']], 'one active course, started today');
      await checkA11y(coordinator, "the child's courses");
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: danishDate(TODAY), exact: true }));
      assert.equal(coordinator.url(), courseUrl, 'the course page');
      await registerEncounter(coordinator, 'Screening');
      const goals = await goalsOf(coordinator);
      assert.deepEqual(
        goals.Screening,
        { due: danishDate(SCREENING_DUE), held: danishDate(TODAY), days: '0', status: 'Overholdt' },
        'the screening goal is met',
      );
      assert.equal(goals.Forsamtale.status, 'Overholdt', 'the first-conversation goal stays met');
      await checkA11y(coordinator, 'course page after the Screening');
    });

    await step('7. decision support points to the worry and sadness track, which the coordinator chooses', async () => {
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til visitationsafgørelsen', exact: true }).first());
      assert.equal(pathOf(coordinator.url()), `${pathOf(courseUrl)}/decision`);
      await assertH1(coordinator, `Visitationsafgørelse: ${CHILD_FULL_NAME}`);
      assert.equal(
        await region(coordinator, 'Tegn på behov for børne- og ungdomspsykiatri').count(),
        0,
        'no signs calling for child psychiatry',
      );

      const support = coordinator.getByRole('complementary', { name: 'Beslutningsstøtte', exact: true });
      const indicated = await support
        .locator('ul.indicated > li > strong')
        .evaluateAll((els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
      assert.deepEqual(indicated, [worrySadness.name_da], 'the SDQ points to the worry and sadness track only');
      const item = indicatedTrack(coordinator, worrySadness.name_da);
      const itemText = normalize(await item.innerText());
      assert.ok(!itemText.includes('tilbydes ikke'), `the track is offered: "${itemText}"`);
      assert.ok(!itemText.includes('alderen passer ikke'), `the age fits: "${itemText}"`);
      const emotional = scalesOf(sdq).find((s) => s.name === 'emotional').title;
      const reasons = await item
        .locator('ul > li')
        .evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
      assert.ok(
        reasons.some(
          (r) =>
            r.startsWith(sdq.title) &&
            r.includes(`${emotional}: ${bandLabel(sdq, 'very_high')}`) &&
            r.includes('(Score 8)'),
        ),
        `the reason is the SDQ's emotional symptoms, very high, score 8; reasons: ${JSON.stringify(reasons)}`,
      );
      await checkA11y(coordinator, 'decision form with decision support');

      await coordinator.getByLabel('Start i et STIME-spor', { exact: true }).check();
      await selectOptionStartingWith(coordinator.getByLabel('Spor', { exact: true }), worrySadness.name_da);
      const saved = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Træf afgørelse', exact: true }));
      assert.equal(saved.status(), 200, 'saving the decision');
      assert.equal(pathOf(coordinator.url()), pathOf(courseUrl), 'back on the course page');
      await assertNotice(coordinator, 'Afgørelsen er gemt.');
      const course = await factsOf(coordinator, 'main > dl.facts');
      assert.equal(course.Spor, worrySadness.name_da, 'the course shows the track');
      assert.equal(course.Status, 'Aktivt', 'the course goes on in the track');
      const timeline = await timelineOf(coordinator);
      assert.ok(
        timeline.some(
          (e) =>
            e.includes('Visitationsafgørelse: Start i et STIME-spor') &&
            e.includes(`Spor: ${worrySadness.name_da}`) &&
            e.includes(`Registreret af: ${coordinatorName}`),
        ),
        `the decision is on the timeline; entries: ${JSON.stringify(timeline)}`,
      );
      assert.equal(
        await coordinator.getByRole('link', { name: 'Til visitationsafgørelsen', exact: true }).count(),
        0,
        'a child started in a track is not decided again',
      );
      await checkA11y(coordinator, 'course page with the decision');
    });

    await step('8. the worklist shows the course decided, and finds a demo course waiting for visitation', async () => {
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Forløb og frister', exact: true }).first());
      assert.equal(pathOf(coordinator.url()), '/courses');
      await assertH1(coordinator, 'Forløb og frister');
      const all = await tableRows(coordinator, 'table.worklist');
      const ours = all.find((cells) => cells[0] === CHILD_FULL_NAME);
      assert.ok(ours, `the new course is on the worklist; rows: ${JSON.stringify(all)}`);
      const [, received, source, , first, screening, decided, status] = ours;
      assert.ok(received.startsWith(danishDate(TODAY)), `received today: ${received}`);
      assert.equal(source, 'Familien eller den unge selv');
      assert.equal(first, `Holdt ${danishDate(TODAY)} Overholdt`);
      assert.equal(screening, `Holdt ${danishDate(TODAY)} Overholdt`);
      assert.equal(decided, 'Ja');
      assert.equal(status, 'Aktivt');
      await checkA11y(coordinator, 'worklist');

      // The demo's course "awaiting visitation": referred by a hospital about
      // body and food, both encounters held, no decision yet.
      const filters = coordinator.getByRole('form', { name: 'Filtrér forløb', exact: true });
      await filters.getByLabel('Tema', { exact: true }).selectOption({ label: 'Krop og mad' });
      await filters.getByLabel('Kun uden visitationsafgørelse', { exact: true }).check();
      await clickAndWait(coordinator, filters.getByRole('button', { name: 'Filtrér', exact: true }));
      const url = new URL(coordinator.url());
      assert.equal(url.searchParams.get('theme'), 'body_food', 'the filter is in the address');
      assert.equal(url.searchParams.get('undecided'), '1');
      assert.equal(normalize(await coordinator.getByRole('status').innerText()), '1 forløb', 'the count of courses found');
      const rows = (await tableRows(coordinator, 'table.worklist')).slice(1);
      assert.equal(rows.length, 1, `one course; rows: ${JSON.stringify(rows)}`);
      const [name, , from, themes, held1, held2, dec, st] = rows[0];
      secondChild = name;
      assert.equal(from, 'Hospital');
      assert.equal(themes, 'Krop og mad');
      assert.match(held1, /^Holdt \d\d\.\d\d\.\d{4} /, `the Forsamtale was held: ${held1}`);
      assert.match(held2, /^Holdt \d\d\.\d\d\.\d{4} /, `the Screening was held: ${held2}`);
      assert.equal(dec, 'Nej');
      assert.equal(st, 'Aktivt');
      await checkA11y(coordinator, 'worklist filtered');

      await clickAndWait(coordinator, coordinator.locator('table.worklist').getByRole('link', { name: secondChild, exact: true }));
      assert.match(pathOf(coordinator.url()), COURSE_PATH);
      secondCourseUrl = coordinator.url();
      await assertH1(coordinator, `Forløb: ${secondChild}`);
      const course = await factsOf(coordinator, 'main > dl.facts');
      assert.equal(course.Status, 'Aktivt');
      assert.equal(course.Afsluttet, '–');
      const timeline = await timelineOf(coordinator);
      assert.ok(!timeline.some((e) => e.includes('Visitationsafgørelse')), `no decision yet; entries: ${JSON.stringify(timeline)}`);
      await checkA11y(coordinator, 'course page waiting for visitation');
    });

    await step('9. guidance to the GP without a way forward is refused, and nothing is saved', async () => {
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Til visitationsafgørelsen', exact: true }).first());
      await assertH1(coordinator, `Visitationsafgørelse: ${secondChild}`);
      assert.equal(
        await region(coordinator, 'Tegn på behov for børne- og ungdomspsykiatri').count(),
        0,
        'no signs calling for child psychiatry, so no reason is asked for',
      );
      await checkA11y(coordinator, 'decision form of the second child');

      await coordinator.getByLabel('Vejledning til egen læge', { exact: true }).check();
      const refused = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Træf afgørelse', exact: true }));
      assert.equal(refused.status(), 422, 'the decision is refused');
      assert.equal(pathOf(coordinator.url()), `${pathOf(secondCourseUrl)}/decision`, 'the form is shown again');
      await assertH1(coordinator, `Visitationsafgørelse: ${secondChild}`);
      const message =
        'Angiv, hvor familien vejledes hen, og hvad de har fået at vide: ingen afgørelse uden en vej videre.';
      const summary = coordinator.getByRole('alert');
      assert.equal(await summary.count(), 1, 'one error summary');
      const link = summary.getByRole('link', { name: message, exact: true });
      assert.equal(await link.getAttribute('href'), '#way', 'the summary leads to the way fields');
      const way = coordinator.getByRole('group', { name: 'Vejen videre', exact: true });
      assert.equal(normalize(await way.locator('.error').innerText()), message, 'the message stands at the way fields');
      const destination = way.getByLabel('Hvor vejledes familien hen', { exact: true });
      const note = way.getByLabel('Hvad har familien fået at vide', { exact: true });
      for (const field of [destination, note]) {
        assert.equal(await field.getAttribute('aria-invalid'), 'true', 'the way fields are marked invalid');
        assert.match(await field.getAttribute('aria-describedby'), /\bway-error\b/, 'and point to the message');
      }
      assert.ok(
        await coordinator.getByLabel('Vejledning til egen læge', { exact: true }).isChecked(),
        'the chosen outcome is kept',
      );
      await checkA11y(coordinator, 'decision form refused for a missing way');

      // Looked at beside the form, which stays as it is.
      const look = session.lookAt(await coordinator.context().newPage());
      await look.goto(secondCourseUrl);
      const course = await factsOf(look, 'main > dl.facts');
      assert.equal(course.Status, 'Aktivt', 'the course is still active');
      const timeline = await timelineOf(look);
      assert.ok(!timeline.some((e) => e.includes('Visitationsafgørelse')), `no decision was saved; entries: ${JSON.stringify(timeline)}`);
      assert.ok(!timeline.some((e) => e.includes('Henvisning (KL)')), 'and no referral');
      await look.close();
      session.lookAt(coordinator);
    });

    await step('10. with the way filled in, the GP decision is saved and closes the course', async () => {
      const way = coordinator.getByRole('group', { name: 'Vejen videre', exact: true });
      const gp = await selectOptionStartingWith(way.getByLabel('Hvor vejledes familien hen', { exact: true }), 'Alment praktiserende læge');
      await way.getByLabel('Hvad har familien fået at vide', { exact: true }).fill(GP_NOTE);
      const saved = await clickAndWait(coordinator, coordinator.getByRole('button', { name: 'Træf afgørelse', exact: true }));
      assert.equal(saved.status(), 200, 'saving the decision');
      assert.equal(coordinator.url(), `${secondCourseUrl}?saved=decision`, 'back on the course page');
      await assertNotice(coordinator, 'Afgørelsen er gemt.');

      const course = await factsOf(coordinator, 'main > dl.facts');
      assert.equal(course.Status, 'Afsluttet', 'guidance to the GP completes the course');
      assert.equal(course.Afsluttet, danishDate(TODAY));
      assert.equal(course.Spor, '–');
      const timeline = await timelineOf(coordinator);
      assert.ok(
        timeline.some(
          (e) =>
            e.includes('Visitationsafgørelse: Vejledning til egen læge') &&
            e.includes(`Vejen videre: ${gp.text} – ${GP_NOTE}`) &&
            e.includes(`Registreret af: ${coordinatorName}`),
        ),
        `the decision and its way are on the timeline; entries: ${JSON.stringify(timeline)}`,
      );
      assert.ok(
        timeline.some((e) => e.includes(`Henvisning (KL): ${gp.text}`) && e.includes(GP_NOTE)),
        `the KL referral to the GP is on the timeline; entries: ${JSON.stringify(timeline)}`,
      );
      await assertShows(coordinator, 'Forløbet er ikke aktivt; der kan ikke registreres mere på det.');
      assert.equal(
        await coordinator.getByRole('link', { name: 'Til visitationsafgørelsen', exact: true }).count(),
        0,
        'a completed course is not decided again',
      );
      await checkA11y(coordinator, 'completed course page');

      // Off the worklist of active courses.
      await clickAndWait(coordinator, coordinator.getByRole('link', { name: 'Forløb og frister', exact: true }).first());
      const active = await tableRows(coordinator, 'table.worklist');
      assert.ok(
        !active.some((cells) => cells[0] === secondChild),
        `${secondChild} is no longer among the active courses; rows: ${JSON.stringify(active)}`,
      );
    });
  });
});
