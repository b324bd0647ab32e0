// Helpers for browser tests written as one journey of numbered steps: the
// step runner with failure artifacts, browser contexts, and small assertions
// on what a page shows. foundation.test.js keeps its own copies; new test
// files share these instead of copying them again.

import assert from 'node:assert/strict';

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
