// Helpers for browser tests written as one journey of numbered steps: the
// step runner with failure artifacts, browser contexts, and small assertions
// on what a page shows. foundation.test.js keeps its own copies; new test
// files share these instead of copying them again.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { saveFailureArtifacts } from './harness.js';

const SERVER_LOG_LINES_ON_FAILURE = 80;

/**
 * Opens pages in fresh browser contexts and remembers the page a step is
 * looking at, so a failure can be photographed. `close()` ends them all.
 */
export function createSession(browser) {
  const contexts = [];
  const session = {
    currentPage: null,

    /**
     * A new context (own cookies) with one page. Users see the UI through a
     * Danish browser; Playwright's default en-US Accept-Language would pick
     * English. `options` go to browser.newContext, e.g. a phone viewport.
     */
    async newPage(options = {}) {
      const context = await browser.newContext({
        locale: 'da-DK',
        timezoneId: 'Europe/Copenhagen',
        ...options,
      });
      // Server-rendered pages answer in milliseconds; a short timeout turns a
      // missing element into a quick, clear failure instead of a long hang.
      context.setDefaultTimeout(10_000);
      context.setDefaultNavigationTimeout(20_000);
      contexts.push(context);
      const page = await context.newPage();
      session.currentPage = page;
      return page;
    },

    /** Marks `page` as the one a failing step should photograph. */
    lookAt(page) {
      session.currentPage = page;
      return page;
    },

    async close() {
      for (const context of contexts) await context.close().catch(() => {});
    },
  };
  return session;
}

/**
 * Runs the steps of one journey in order; once one fails the rest are
 * reported as skipped, because each step builds on the one before. A failure
 * attaches a screenshot path and the end of the server log as diagnostics.
 */
export function stepRunner(t, { server, session }) {
  let failedStep = null;
  return async function step(name, fn) {
    if (failedStep) {
      await t.test(name, { skip: `step "${failedStep}" failed` }, () => {});
      return;
    }
    await t.test(name, async (st) => {
      try {
        await fn(st);
      } catch (err) {
        failedStep = name;
        const page = session.currentPage;
        if (page) {
          st.diagnostic(`page at failure: ${page.url()}`);
          const shot = await saveFailureArtifacts(page, name);
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

/**
 * A JSON file of the repository the server loads, e.g. `instruments/phq-a.json`
 * or `tracks/worry_sadness.json`, so a test reads titles and rules instead of
 * copying them.
 */
export async function repoJson(relativePath) {
  const file = new URL(`../../../${relativePath}`, import.meta.url);
  return JSON.parse(await readFile(file, 'utf8'));
}

// --- what a page shows ------------------------------------------------------

export const normalize = (text) => text.replace(/\s+/g, ' ').trim();

export async function h1Text(page) {
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `expected exactly one h1 on ${page.url()}`);
  return normalize(await h1.innerText());
}

export async function assertH1(page, expected) {
  assert.equal(await h1Text(page), expected, `h1 on ${page.url()}`);
}

export async function assertH1Contains(page, expected) {
  const text = await h1Text(page);
  assert.ok(text.includes(expected), `h1 on ${page.url()} is "${text}", expected it to contain "${expected}"`);
}

export async function visibleText(page) {
  return normalize(await page.locator('body').innerText());
}

export async function assertShows(page, expected) {
  const text = await visibleText(page);
  assert.ok(text.includes(expected), `expected "${expected}" on ${page.url()}, the page shows:\n${text}`);
}

export function pathOf(url) {
  return new URL(url).pathname;
}

/** The rows of the tables matched by `selector`, as the normalized text of their cells. */
export async function tableRows(scope, selector = 'table') {
  return scope
    .locator(`${selector} tr`)
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.cells, (cell) => cell.innerText.replace(/\s+/g, ' ').trim())),
    );
}

/** The logged-in user as the server knows them; the API accepts the browser session for reads. */
export async function whoAmI(page, serverUrl) {
  const response = await page.request.get(`${serverUrl}api/v1/me`);
  assert.equal(response.status(), 200, 'GET /api/v1/me with the session cookie');
  return response.json();
}

export function navLink(page, name) {
  return page.getByRole('navigation').getByRole('link', { name, exact: true }).first();
}

/** The term/description pairs of the `<dl>` lists matched by `selector`, as normalized text. */
export async function factsOf(scope, selector = 'dl.facts') {
  const pairs = await scope.locator(selector).evaluateAll((lists) =>
    lists.flatMap((dl) =>
      Array.from(dl.querySelectorAll(':scope > dt'), (dt) => {
        const dd = dt.nextElementSibling;
        const text = (el) => (el ? el.innerText.replace(/\s+/g, ' ').trim() : '');
        return [text(dt), dd && dd.tagName === 'DD' ? text(dd) : ''];
      }),
    ),
  );
  return Object.fromEntries(pairs);
}

// --- doing what a person does -----------------------------------------------

/** Picks the <option> whose text starts with `prefix`; there must be exactly one. */
export async function selectOptionStartingWith(select, prefix) {
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

/**
 * Answers a question the way a person does, by pressing the text of the
 * answer (its <label>), then checks that the label really is tied to the radio.
 */
export async function chooseAnswer(page, linkId, value, { tap = false } = {}) {
  const radio = page.locator(`input[type="radio"][name="${linkId}"][value="${value}"]`);
  assert.equal(await radio.count(), 1, `a radio button ${linkId}=${value}`);
  const id = await radio.getAttribute('id');
  const label = page.locator(`label[for="${id}"]`);
  if (tap) await label.tap();
  else await label.click();
  assert.ok(await radio.isChecked(), `pressing the label of ${linkId}=${value} checks its radio button`);
}

// --- questionnaire results --------------------------------------------------

/** An instrument's scales as its definition lists them: name and Danish title. */
export function scalesOf(definition) {
  const s = definition.samspor;
  return [...s.scales, ...(s.derived ?? []), ...(s.gated_sums ?? [])].map((x) => ({
    name: x.name,
    title: x.title_da,
  }));
}

/** The Danish label an instrument gives a band, e.g. "Meget høj" for `very_high`. */
export function bandLabel(definition, band) {
  const label = definition.samspor.band_labels[band]?.da;
  assert.ok(label, `${definition.id} has a Danish label for the band ${band}`);
  return label;
}

/**
 * Checks one scale's row (cells: title, score, band) of a results table
 * against `expected` ({ scale, score, band }): the row is named by the
 * scale's Danish title and the band by the instrument's Danish label.
 */
export function assertScaleRow(rows, definition, expected) {
  const scale = scalesOf(definition).find((s) => s.name === expected.scale);
  assert.ok(scale, `${definition.id} defines the scale ${expected.scale}`);
  const row = rows.find((cells) => cells[0] === scale.title);
  assert.ok(row, `a row "${scale.title}"; rows: ${JSON.stringify(rows)}`);
  const [, score, band] = row;
  assert.equal(score, expected.score, `score of ${expected.scale}`);
  if (expected.band) {
    const label = bandLabel(definition, expected.band);
    // Unverified cut-offs carry "(foreløbig grænse)" after the label.
    assert.ok(
      band === label || band.startsWith(`${label} (`),
      `band of ${expected.scale} is "${band}", expected "${label}"`,
    );
  } else {
    assert.equal(band, '–', `${expected.scale} has no band`);
  }
}
