// A worry and sadness course through treatment to its end, as the therapist
// does it: the demo's course decided onto the track at today's visitation
// meeting gets its five planned sessions, the end measurement goes out as a
// link once the last session is held and comes back from a phone, the page
// shows reliable change from start to end, and the course is closed with its
// closing conversation and the follow-up talk scheduled. The GP messages for
// the start and the end are waiting to be sent, and the municipality's next
// KL Gateway delivery holds the course with every encounter. Each step builds
// on the one before, so a failed step skips the rest.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import { ADMIN_KOBENHAVN, DEMO_PASSWORD, THERAPIST_KOBENHAVN } from '../lib/demo.js';
import {
  assertH1,
  assertShows,
  chooseAnswer,
  createSession,
  factsOf,
  normalize,
  pathOf,
  repoJson,
  stepRunner,
  tableRows,
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

// As chrono's checked_add_months: the same day of the month, or the month's
// last day when it has fewer.
function addMonths(day, months) {
  const target = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day.getUTCDate(), last));
  return target;
}

const pad = (n) => String(n).padStart(2, '0');
const danishDate = (day) => `${pad(day.getUTCDate())}.${pad(day.getUTCMonth() + 1)}.${day.getUTCFullYear()}`;
const isoDate = (day) => day.toISOString().slice(0, 10);
const at = (day, hhmm) => `${isoDate(day)}T${hhmm}`;

const TODAY = copenhagenToday();
// The five sessions on the five days before today, the closing conversation and
// the closing on the last of them: all in the past whatever the time of day.
const SESSION_DAYS = [5, 4, 3, 2, 1].map((n) => addDays(TODAY, -n));
const CLOSED_ON = addDays(TODAY, -1);

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  locale: 'da-DK',
};

// --- KL ids --------------------------------------------------------------------

// The FHIR id Samspor gives a record: UUID v5 in Samspor's namespace of
// "<kind>:<record id>" (domain::klgateway::report::resource_id).
const KL_NAMESPACE = '887b4aa8-a16f-4032-b7a1-74b5904a845b';
function klId(kind, recordId) {
  const ns = Buffer.from(KL_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(`${kind}:${recordId}`).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const KL_ENCOUNTER_TYPES = {
  'ac1057da-a510-4bab-a2b1-d96efa464bdc': 'Henvendelse',
  'e2eee938-a58c-42d0-a514-dc91779b1243': 'Forsamtale',
  '404665f4-3488-4225-953e-3f1c5a061829': 'Screening',
  'b7f9217c-2315-4d6f-bba5-5117e202302c': 'Behandling',
};

function region(page, name) {
  return page.getByRole('region', { name, exact: true });
}

async function assertNotice(page, expected) {
  const notice = page.getByRole('status');
  assert.equal(await notice.count(), 1, `one notice on ${page.url()}`);
  assert.equal(normalize(await notice.innerText()), expected);
}

/** The link the measurement page offers for one instrument and point, or null. */
async function linkFor(page, instrumentTitle, point) {
  const boxes = region(page, 'Links til udlevering').locator('div.field');
  for (const box of await boxes.all()) {
    const label = normalize(await box.locator('label').innerText());
    if (label.startsWith(`${instrumentTitle} – `) && label.includes(` – ${point} (`)) {
      return box.locator('input').inputValue();
    }
  }
  return null;
}

/** Answers every item of a questionnaire link on a phone with one value. */
async function answerAll(phone, link, definition, value) {
  const first = await phone.goto(link);
  assert.equal(first.status(), 200, 'the link opens');
  await assertH1(phone, definition.title);
  const pages = definition.item;
  for (const [index, group] of pages.entries()) {
    const items = group.item ?? [group];
    for (const question of items) await chooseAnswer(phone, question.linkId, String(value), { tap: true });
    const last = index === pages.length - 1;
    const response = await clickAndWait(phone, phone.getByRole('button', { name: last ? 'Send svar' : 'Næste', exact: true }));
    assert.equal(response.status(), 200, `after page ${index + 1}`);
  }
  await assertH1(phone, 'Tak for dine svar');
}

let server;
let browser;
let session;

describe('treatment', () => {
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

  test('a worry and sadness course runs to its end, is closed with a follow-up talk and reaches the KL export', { timeout: 300_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    const smfq = await repoJson('instruments/smfq-child.json');
    const track = await repoJson('tracks/worry_sadness.json');
    const planned = track.plan.sessions;
    const therapist = await session.newPage();
    // What the therapist does from here is what the next incremental delivery must hold.
    const workStarted = new Date().toISOString();
    let childName;
    let courseUrl;
    let courseId;

    await step('1. the therapist finds the course decided onto worry and sadness today', async () => {
      const response = await login(therapist, server.url, THERAPIST_KOBENHAVN.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await therapist.goto(`${server.url}courses`);
      const filters = therapist.getByRole('form', { name: 'Filtrér forløb', exact: true });
      await filters.getByLabel('Tema', { exact: true }).selectOption({ label: 'Bekymring' });
      await clickAndWait(therapist, filters.getByRole('button', { name: 'Filtrér', exact: true }));
      const rows = (await tableRows(therapist, 'table.worklist')).slice(1);
      // The demo's "track decided" course: referred by the school, decided, active.
      const ours = rows.filter(([, , source, , , , decided, status]) => source === 'Skole eller PPR' && decided === 'Ja' && status === 'Aktivt');
      assert.equal(ours.length, 1, `one decided school referral about worry; rows: ${JSON.stringify(rows)}`);
      childName = ours[0][0];
      await clickAndWait(therapist, therapist.locator('table.worklist').getByRole('link', { name: childName, exact: true }));
      courseUrl = therapist.url();
      courseId = pathOf(courseUrl).split('/')[2];
      await assertH1(therapist, `Forløb: ${childName}`);
      await clickAndWait(therapist, therapist.getByRole('link', { name: 'Behandling', exact: true }).first());
      assert.equal(pathOf(therapist.url()), `/courses/${courseId}/treatment`);
      await assertH1(therapist, `Behandling: ${childName}`);
      const plan = (await tableRows(region(therapist, 'Planlagte og holdte sessioner'))).slice(1);
      assert.equal(plan.length, planned.length, `the track's ${planned.length} sessions are planned; rows: ${JSON.stringify(plan)}`);
      plan.forEach((row, i) => assert.ok(row.join(' ').includes(planned[i].title_da), `session ${i + 1}: ${row.join(' | ')}`));
      await checkA11y(therapist, 'treatment page before the first session');
    });

    await step('2. five sessions are recorded; a session in the future is refused and nothing is saved', async () => {
      const form = region(therapist, 'Registrér session');
      const tomorrow = addDays(TODAY, 1);
      await form.getByLabel('Sessionen blev holdt (dato og klokkeslæt)', { exact: true }).fill(at(tomorrow, '10:00'));
      await form.getByLabel('Planlagt session', { exact: true }).selectOption('1');
      await form.getByLabel('Leveringstype', { exact: true }).selectOption('individual');
      await form.getByLabel('Deltagere', { exact: true }).selectOption('child_present');
      await form.getByLabel('Barnet', { exact: true }).check();
      const refused = await clickAndWait(therapist, form.getByRole('button', { name: 'Registrér session', exact: true }));
      assert.equal(refused.status(), 422, 'a session tomorrow is refused');
      const field = therapist.locator('#session_at');
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.equal(await field.inputValue(), at(tomorrow, '10:00'), 'the input is kept');
      assert.equal((await tableRows(region(therapist, 'Sessionslog'))).length <= 1, true, 'no session was saved');
      await checkA11y(therapist, 'session form with an error');

      for (const [i, day] of SESSION_DAYS.entries()) {
        const number = i + 1;
        const f = region(therapist, 'Registrér session');
        await f.getByLabel('Sessionen blev holdt (dato og klokkeslæt)', { exact: true }).fill(at(day, '10:00'));
        await f.getByLabel('Planlagt session', { exact: true }).selectOption(String(number));
        await f.getByLabel('Leveringstype', { exact: true }).selectOption('individual');
        const parents = planned[i].participants !== 'child';
        await f.getByLabel('Deltagere', { exact: true }).selectOption('child_present');
        await f.getByLabel('Barnet', { exact: true }).check();
        if (parents) await f.getByLabel('Mor', { exact: true }).check();
        await f.getByLabel('Journalnotat', { exact: true }).fill(`Session ${number} gennemført efter manualen.`);
        const response = await clickAndWait(therapist, f.getByRole('button', { name: 'Registrér session', exact: true }));
        assert.equal(response.status(), 200, `session ${number}`);
      }
      const log = (await tableRows(region(therapist, 'Sessionslog'))).slice(1);
      assert.equal(log.length, 5, `five sessions in the log; rows: ${JSON.stringify(log)}`);
      await assertShows(therapist, `Session 5 gennemført efter manualen.`);
      await checkA11y(therapist, 'treatment page with five sessions');
    });

    await step('3. the end measurement goes out as a link and comes back from a phone; the change from start is reliable', async () => {
      await therapist.goto(`${server.url}courses/${courseId}/measurements`);
      await assertH1(therapist, `Målinger: ${childName}`);
      await clickAndWait(therapist, therapist.getByRole('button', { name: 'Send forfaldne målinger nu', exact: true }));
      const link = await linkFor(therapist, smfq.title, 'Slut');
      assert.ok(link, 'the SMFQ end link is there to hand over');
      const phone = await session.newPage(PHONE);
      await answerAll(phone, link, smfq, 0);
      session.lookAt(therapist);
      await therapist.goto(`${server.url}courses/${courseId}/measurements`);
      assert.equal(await linkFor(therapist, smfq.title, 'Slut'), null, 'an answered link is no longer kept');
      const changes = region(therapist, 'Ændring fra start til slut');
      const heading = changes.getByRole('heading', { level: 3 }).filter({ hasText: smfq.title });
      assert.equal(await heading.count(), 1, 'the SMFQ has a start and an end');
      const rows = (await tableRows(changes, 'table.change')).filter((r) => r.length === 6);
      const total = rows.find((r) => r[2] === '0' && r[5].startsWith('Pålidelig bedring'));
      assert.ok(total, `an SMFQ scale ends at 0 with reliable improvement; rows: ${JSON.stringify(rows)}`);
      await checkA11y(therapist, 'measurement page with the change');
    });

    await step('4. closing: the closing conversation and the closing are recorded, the follow-up talk is scheduled', async () => {
      await therapist.goto(`${server.url}courses/${courseId}/treatment`);
      const form = region(therapist, 'Afslut forløbet');
      await form.getByLabel('Afsluttende samtale (dato og klokkeslæt)', { exact: true }).fill(at(CLOSED_ON, '14:00'));
      await form.getByLabel('Afslutning (dato og klokkeslæt)', { exact: true }).fill(at(CLOSED_ON, '15:00'));
      await form.getByLabel('Årsag til afslutning', { exact: true }).selectOption('completed');
      await form.getByLabel('Kort opsummering af udbyttet', { exact: true }).fill('Mindre bekymret, kommer i skole hver dag.');
      const response = await clickAndWait(therapist, form.getByRole('button', { name: 'Afslut forløbet', exact: true }));
      assert.equal(response.status(), 200, 'closing');
      const followUp = await factsOf(region(therapist, 'Opfølgende samtale'));
      assert.equal(followUp['Opfølgende samtale senest'], danishDate(addMonths(CLOSED_ON, track.plan.follow_up.months_after_end)));
      assert.equal(followUp.Holdt, 'Ikke endnu');
      assert.equal(await region(therapist, 'Registrér session').count(), 0, 'no more sessions on a closed course');
      await checkA11y(therapist, 'treatment page of the closed course');
    });

    await step('5. the course is completed and both GP messages wait to be sent with the consent shown', async () => {
      await therapist.goto(courseUrl);
      const facts = await factsOf(therapist, 'main > dl.facts');
      assert.equal(facts.Status, 'Afsluttet');
      assert.equal(facts.Afsluttet, danishDate(CLOSED_ON));
      const gp = region(therapist, 'Behandling');
      const messages = gp.locator('h3').filter({ hasText: 'Besked til egen læge' });
      const titles = (await messages.allInnerTexts()).map(normalize);
      assert.deepEqual(
        titles.sort(),
        ['Besked til egen læge: behandlingen er startet – Til afsendelse', 'Besked til egen læge: forløbet er afsluttet – Til afsendelse'],
        `GP messages: ${JSON.stringify(titles)}`,
      );
      assert.ok((await gp.innerText()).includes('Samtykke:'), 'the consent status is shown');
      await checkA11y(therapist, 'course page of the closed course');
    });

    await step('6. the next KL Gateway delivery holds the completed course with all its encounters', async () => {
      const admin = await session.newPage();
      const response = await login(admin, server.url, ADMIN_KOBENHAVN.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      // Since before the demo was made: the whole course, not only today's part.
      const since = '2000-01-01T00:00:00Z';
      const exported = await admin.goto(`${server.url}api/v1/exports/kl-ltt?since=${encodeURIComponent(since)}`);
      assert.equal(exported.status(), 200);
      const delivery = await exported.json();
      assert.equal(delivery.resourceType, 'Bundle');
      const carePlanId = klId('careplan', courseId);
      const reports = delivery.entry.map((e) => e.resource);
      const report = reports.find((r) => r.entry.some((e) => e.resource.resourceType === 'CarePlan' && e.resource.id === carePlanId));
      assert.ok(report, `a report holds the course's CarePlan ${carePlanId}`);
      const carePlan = report.entry.find((e) => e.resource.id === carePlanId).resource;
      assert.equal(carePlan.status, 'completed');
      assert.equal(carePlan.period.end.slice(0, 10), isoDate(CLOSED_ON));
      const encounters = report.entry
        .map((e) => e.resource)
        .filter((r) => r.resourceType === 'Encounter' && JSON.stringify(r.extension ?? []).includes(`"CarePlan/${carePlanId}"`));
      const kinds = encounters.map((e) => e.type[0].coding[0].display);
      const count = (k) => kinds.filter((x) => x === k).length;
      assert.equal(count('Henvendelse'), 1, `kinds: ${kinds}`);
      assert.equal(count('Forsamtale'), 1, `kinds: ${kinds}`);
      assert.equal(count('Screening'), 1, `kinds: ${kinds}`);
      assert.equal(count('Behandling'), 5, `kinds: ${kinds}`);
      assert.equal(count('Afsluttende samtale'), 1, `kinds: ${kinds}`);
      assert.equal(count('Afslutning'), 1, `kinds: ${kinds}`);
      for (const e of encounters.filter((x) => KL_ENCOUNTER_TYPES[x.type[0].coding[0].code] === 'Behandling')) {
        assert.ok(e.extension.some((x) => x.url.endsWith('-delivery-type')), 'a Behandling carries its delivery type');
        assert.ok(e.participant?.length, 'a Behandling carries its participants');
      }
      const citizen = report.entry.find((e) => e.resource.resourceType === 'Patient').resource;
      assert.equal(citizen.name, undefined, 'no name in the report');
      assert.equal(citizen.birthDate, undefined, 'no birth date in the report');

      // The next incremental delivery (since the therapist began) holds exactly the new part:
      // the CarePlan, now completed, with the five sessions, the closing conversation and the
      // closing, and not the encounters KL already had.
      const next = await (await admin.goto(`${server.url}api/v1/exports/kl-ltt?since=${encodeURIComponent(workStarted)}`)).json();
      const nextReport = next.entry
        .map((e) => e.resource)
        .find((r) => r.entry.some((e) => e.resource.id === carePlanId));
      assert.ok(nextReport, 'the course is in the next delivery');
      const nextKinds = nextReport.entry
        .map((e) => e.resource)
        .filter((r) => r.resourceType === 'Encounter')
        .map((e) => e.type[0].coding[0].display)
        .sort();
      assert.deepEqual(nextKinds, ['Afslutning', 'Afsluttende samtale', 'Behandling', 'Behandling', 'Behandling', 'Behandling', 'Behandling']);

      // The delivery is listed for the administrator and can be downloaded.
      await admin.goto(server.url);
      await clickAndWait(admin, admin.getByRole('link', { name: 'KL-indberetning', exact: true }));
      assert.equal(pathOf(admin.url()), '/admin/kl-deliveries');
      const listed = (await tableRows(admin)).slice(1);
      assert.ok(listed.length >= 1, `the delivery is listed; rows: ${JSON.stringify(listed)}`);
      await checkA11y(admin, 'KL deliveries');
    });
  });
});
