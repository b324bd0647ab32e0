// Informing the GP through MedCom. The demo server runs with a file-drop
// folder and sends every second: the letters to practices outside Samspor land
// in the folder, one Bundle per file, and every one of them meets the FHIR R4
// JSON schema and the CareCommunication 5.0.4 profiles and invariants (read
// from their FSH in ../shared/specs). The checker itself is shown to refuse
// Bundles broken in the ways the profiles forbid. In the browser, the GP
// practice in Samspor reads a letter in its inbox and the municipality sees
// what it sent and in which state.

import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { checkA11y, clickAndWait, launchBrowser, login, startServer } from '../lib/harness.js';
import { COORDINATOR_KOBENHAVN, DEMO_PASSWORD, GP_NORREBRO } from '../lib/demo.js';
import { assertH1Contains, createSession, normalize, stepRunner, tableRows } from '../lib/journey.js';
import { SPEC_DIR, careCommunicationProfiles, checkBundle } from '../lib/carecommunication.js';

const CARECOMMUNICATION_PROFILES = [
  'MedComCareCommunicationMessage',
  'MedComCareCommunicationMessageHeader',
  'MedComCareCommunication',
  'MedComCareCommunicationProvenance',
];

let server;
let browser;
let session;
let dropDir;

/** The Bundles in the drop folder, once the first sending round has written them. */
async function droppedBundles() {
  const out = path.join(dropDir, 'out');
  for (let waited = 0; waited < 60; waited += 1) {
    const names = (await readdir(out).catch(() => [])).filter((n) => n.endsWith('.json'));
    if (names.length > 0) {
      await sleep(1_500); // let the round finish writing
      const all = (await readdir(out)).filter((n) => n.endsWith('.json')).sort();
      return Promise.all(
        all.map(async (name) => ({ name, bundle: JSON.parse(await readFile(path.join(out, name), 'utf8')) })),
      );
    }
    await sleep(1_000);
  }
  throw new Error(`no Bundle in ${out} after 60 s\n${server.log()}`);
}

describe('MedCom', { skip: SPEC_DIR ? false : 'the CareCommunication profiles (../shared/specs) are not here' }, () => {
  before(
    async () => {
      server = await startServer({
        serverArgs: (dataDir) => {
          dropDir = path.join(dataDir, 'medcom');
          return ['--medcom-drop-dir', dropDir, '--medcom-interval-seconds', '1'];
        },
      });
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

  test('every Bundle dropped for a practice outside Samspor meets CareCommunication 5.0.4', { timeout: 120_000 }, async (t) => {
    const { profiles } = await careCommunicationProfiles();
    for (const profile of profiles.values()) {
      for (const s of profile.skipped) t.diagnostic(`not checked (${profile.name}): ${s.rule} — ${s.reason}`);
      assert.ok(
        profile.skipped.every((s) => !/obeys/.test(s.rule)),
        `every invariant of ${profile.name} is checked: ${JSON.stringify(profile.skipped)}`,
      );
    }
    const dropped = await droppedBundles();
    t.diagnostic(`${dropped.length} Bundles checked`);
    assert.ok(dropped.length >= 2, `several letters leave through the drop folder: ${dropped.length}`);
    const categories = new Set(dropped.map(({ bundle }) => bundle.entry
      .find((e) => e.resource.resourceType === 'Communication').resource.category[0].coding[0].code));
    assert.deepEqual([...categories].sort(), ['psychiatry-social-disability', 'regarding-referral'],
      'letters on courses and a child-psychiatry unit\'s answer to a GP\'s referral');
    for (const { name, bundle } of dropped) {
      assert.equal(name, `${bundle.entry[0].resource.id}.json`, 'each file is named by its MessageHeader id');
      const { failures, profilesChecked } = await checkBundle(bundle);
      assert.deepEqual(failures, [], `${name} meets the profiles`);
      for (const p of CARECOMMUNICATION_PROFILES) assert.ok(profilesChecked.includes(p), `${name} is checked against ${p}`);
      const communication = bundle.entry.find((e) => e.resource.resourceType === 'Communication').resource;
      assert.match(
        communication.identifier[0].value,
        /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        'the Communication identifier is a fresh UUID v4',
      );
    }
  });

  test('the checker refuses a Bundle that breaks the profiles', { timeout: 60_000 }, async () => {
    const [{ bundle }] = await droppedBundles();
    const resource = (b, type) => b.entry.find((e) => e.resource.resourceType === type).resource;
    // Each way of breaking it, and the rule that must catch it.
    const broken = [
      ['a second Patient', /medcom-careCommunication-2/, (b) => b.entry.push(structuredClone(b.entry[1]))],
      ['an identifier that is no UUID', /medcom-uuidv4/, (b) => {
        resource(b, 'Communication').identifier[0].value = 'urn:uuid:123';
      }],
      ['a payload without its date', /payload\[string\]\.extension\[date\] 1\.\.1/, (b) => {
        const payload = resource(b, 'Communication').payload[0];
        payload.extension = payload.extension.filter((e) => !e.url.endsWith('datetime-extension'));
      }],
      ['another message definition', /medcom-carecommunication-definition-url/, (b) => {
        b.entry[0].resource.definition =
          'http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|4.0';
      }],
      ['a status other than unknown', /status = #unknown/, (b) => {
        resource(b, 'Communication').status = 'completed';
      }],
      ['a focus that is not the Communication', /focus only Reference/, (b) => {
        b.entry[0].resource.focus = [{ reference: `Patient/${resource(b, 'Patient').id}` }];
      }],
      // Only caught when the author's reference resolves inside the Bundle.
      ['an author role both coded and in text', /medcom-careCommunication-7/, (b) => {
        resource(b, 'PractitionerRole').code[0].coding = [{ system: 'urn:oid:1.2.208.176.2.1', code: 'x' }];
      }],
      ['a Provenance without the payload it adds', /entity\[payload\] 1\.\.\*/, (b) => {
        resource(b, 'Provenance').entity = [];
      }],
      ['an element FHIR R4 does not have', /FHIR R4 JSON schema/, (b) => {
        resource(b, 'Communication').colour = 'blue';
      }],
    ];
    let n = 0;
    for (const [what, rule, breakIt] of broken) {
      const copy = structuredClone(bundle);
      breakIt(copy);
      // A base of its own, so no reference resolves to the unbroken original.
      n += 1;
      const base = copy.entry[0].fullUrl.replace(/\/MessageHeader\/.*$/, '');
      for (const e of copy.entry) e.fullUrl = e.fullUrl.replace(base, `http://broken-${n}.invalid/fhir/R4`);
      const { failures } = await checkBundle(copy);
      assert.ok(
        failures.some((f) => rule.test(f.rule)),
        `${what} is refused by ${rule}: ${JSON.stringify(failures)}`,
      );
    }
  });

  test('the GP practice in Samspor reads its letter; the municipality follows what it sent', { timeout: 240_000 }, async (t) => {
    const step = stepRunner(t, { server, session });
    let page = await session.newPage();

    await step('1. the GP opens the MedCom inbox and reads a letter', async () => {
      const response = await login(page, server.url, GP_NORREBRO.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await clickAndWait(page, page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name: 'MedCom', exact: true }));
      await assertH1Contains(page, 'MedCom');
      const inbox = page.locator('section', { has: page.getByRole('heading', { name: 'Indbakke' }) });
      const rows = (await tableRows(inbox)).slice(1);
      assert.ok(rows.length >= 1, `letters about the practice's children are in its inbox: ${JSON.stringify(rows)}`);
      assert.ok(rows.some((r) => /ny/.test(r.join(' '))), 'an unread letter is marked new');
      await checkA11y(page, 'MedCom inbox');
      await clickAndWait(page, inbox.getByRole('link').first());
      const facts = normalize(await page.locator('dl.facts').innerText());
      assert.match(facts, /Lægehuset Nørrebro/, facts);
      assert.match(facts, /Kvitteret|Modtaget/, `a letter in the inbox is acknowledged: ${facts}`);
      assert.ok((await page.locator('p.text').innerText()).length > 40, 'the letter has its text');
      await checkA11y(page, 'MedCom letter');
    });

    await step('2. the municipality sees its letters and their states', async () => {
      await session.close();
      session = createSession(browser);
      page = await session.newPage();
      const response = await login(page, server.url, COORDINATOR_KOBENHAVN.email, DEMO_PASSWORD);
      assert.equal(response.status(), 200);
      await page.goto(new URL('/medcom', server.url).href);
      const outbox = page.locator('section', { has: page.getByRole('heading', { name: 'Sendt' }) });
      const rows = (await tableRows(outbox)).slice(1);
      const states = new Set(rows.map((r) => r[r.length - 1]));
      assert.ok(rows.length >= 2, `København's letters are listed: ${JSON.stringify(rows)}`);
      assert.ok(states.size >= 2, `letters to the inbox and through the drop folder are in different states: ${[...states]}`);
    });
  });
});
