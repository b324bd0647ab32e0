// Everyday use, on a desktop screen and on a phone: after the login the
// coordinator lands on the page they asked for, the favicon is there, the
// focus ring stands out against the page, and the front page tells how many
// new self-referrals wait, with the intake queue in the main menu.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  checkA11y,
  clickAndWait,
  launchBrowser,
  saveFailureArtifacts,
  startServer,
  submitLogin,
} from '../lib/harness.js';
import { COORDINATOR_KOBENHAVN, DEMO_PASSWORD } from '../lib/demo.js';

const SERVER_LOG_LINES_ON_FAILURE = 80;

const SCREENS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
};

// A deep page whose query holds a search term, as a bookmark or a link in a
// mail would.
const DEEP_PAGE = '/children?q=Hansen';

// The coordinator's pages with the widest tables.
const STAFF_PAGES = ['/', '/courses', '/groups', '/medcom', '/organisations', '/learning-environment'];

const SELF_REFERRAL_SUBMIT = 'Send til kommunen';

let server;
let browser;
const contexts = [];
let currentPage = null;

async function newContext(screen) {
  const context = await browser.newContext({ ...screen, locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(20_000);
  contexts.push(context);
  const page = await context.newPage();
  currentPage = page;
  return page;
}

// Runs the steps of one journey in order; once one fails the rest are skipped.
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
          const shot = await saveFailureArtifacts(currentPage, `everyday ${name}`);
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

const normalize = (text) => text.replace(/\s+/g, ' ').trim();

async function assertH1(page, expected) {
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `expected exactly one h1 on ${page.url()}`);
  assert.equal(normalize(await h1.innerText()), expected, `h1 on ${page.url()}`);
}

function pathAndQuery(url) {
  const u = new URL(url);
  return u.pathname + u.search;
}

function navLink(page, name) {
  return page.getByRole('navigation', { name: 'Hovedmenu' }).getByRole('link', { name, exact: true });
}

// --- colour contrast (WCAG 2.x relative luminance) ---------------------------

function parseColour(css) {
  const m = css.match(/rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)/);
  assert.ok(m, `a colour in rgb() form: ${css}`);
  return { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] };
}

function luminance({ r, g, b }) {
  const channel = (v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// The focused element's outline, and the background it is drawn on: the first
// ancestor with an opaque background (the outline sits outside the element,
// offset from it).
async function focusRing(locator) {
  await locator.focus();
  return locator.evaluate((el) => {
    const style = getComputedStyle(el);
    let background = 'rgb(255, 255, 255)';
    for (let node = el.parentElement; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) {
        background = bg;
        break;
      }
    }
    return {
      focused: document.activeElement === el,
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      colour: style.outlineColor,
      background,
    };
  });
}

async function assertFocusRing(locator, what) {
  const ring = await focusRing(locator);
  assert.ok(ring.focused, `${what} takes the focus`);
  assert.notEqual(ring.style, 'none', `${what} shows an outline when focused`);
  assert.ok(ring.width >= 2, `${what}: the outline is ${ring.width}px wide, at least 2px expected`);
  const ratio = contrast(parseColour(ring.colour), parseColour(ring.background));
  assert.ok(
    ratio >= 3,
    `${what}: outline ${ring.colour} on ${ring.background} has contrast ${ratio.toFixed(2)}:1, at least 3:1 expected`,
  );
}

// --- the journeys -------------------------------------------------------------

describe('everyday use', () => {
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

  for (const [screenName, screen] of Object.entries(SCREENS)) {
    test(`a coordinator's everyday page visits on a ${screenName}`, { timeout: 180_000 }, async (t) => {
      const step = stepRunner(t);
      const page = await newContext(screen);
      const base = server.url.replace(/\/$/, '');

      await step('1. a deep page asked for without a login comes back after it', async () => {
        await page.goto(`${base}${DEEP_PAGE}`);
        assert.equal(pathAndQuery(page.url()), '/login', 'the login page, with no search term in its address');
        await assertH1(page, 'Log ind');
        await checkA11y(page, `login page (${screenName})`);

        await submitLogin(page, COORDINATOR_KOBENHAVN.email, DEMO_PASSWORD);
        assert.equal(pathAndQuery(page.url()), DEEP_PAGE, 'back on the page asked for');
        await assertH1(page, 'Børn');
        assert.equal(await page.getByLabel('Søg', { exact: true }).inputValue(), 'Hansen', 'the search is kept');
        await checkA11y(page, `children search after login (${screenName})`);
      });

      await step('2. the favicon link resolves', async () => {
        const href = await page.locator('link[rel="icon"]').getAttribute('href');
        assert.ok(href, 'a <link rel="icon">');
        const response = await page.request.get(new URL(href, page.url()).href);
        assert.equal(response.status(), 200, `GET ${href}`);
        assert.match(response.headers()['content-type'] ?? '', /^image\/svg\+xml/);
      });

      await step('3. focused links and buttons show a ring with at least 3:1 contrast', async () => {
        await assertFocusRing(navLink(page, 'Forside'), 'a link in the header');
        await assertFocusRing(page.locator('main a').first(), 'a link in the page');
        await assertFocusRing(page.getByRole('button', { name: 'Søg', exact: true }), 'the search button');
        await assertFocusRing(page.getByRole('button', { name: 'Log ud', exact: true }), 'the log-out button in the header');
        await assertFocusRing(page.getByLabel('Søg', { exact: true }), 'the search field');
      });

      await step('4. the front page counts the new self-referrals, and the menu leads to them', async () => {
        await clickAndWait(page, navLink(page, 'Forside'));
        const section = page.getByRole('region', { name: 'Nye henvendelser', exact: true });
        const link = section.getByRole('link');
        const text = normalize(await link.innerText());
        const match = text.match(/^(\d+) venter på at blive læst og registreret$/);
        assert.ok(match, `the count of new self-referrals; the link reads "${text}"`);
        const count = Number(match[1]);
        assert.ok(count > 0, 'the demo seeds self-referrals in København');
        assert.equal(pathAndQuery(new URL(await link.getAttribute('href'), page.url()).href), '/intake');
        await checkA11y(page, `front page (${screenName})`);

        await clickAndWait(page, navLink(page, 'Nye henvendelser'));
        assert.equal(pathAndQuery(page.url()), '/intake');
        await assertH1(page, 'Nye henvendelser');
        assert.equal(
          await navLink(page, 'Nye henvendelser').getAttribute('aria-current'),
          'page',
          'the menu marks where we are',
        );
        assert.equal(await page.locator('li.card').count(), count, 'the queue holds as many as the front page said');
        await assertFocusRing(page.getByRole('button', { name: 'Opret forløb', exact: true }).first(), 'a button in a card');
        await checkA11y(page, `intake queue (${screenName})`);
      });

      await step('5. staff pages fit the screen: wide tables scroll inside their own box', async () => {
        for (const path of STAFF_PAGES) {
          await page.goto(`${base}${path}`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          const viewport = page.viewportSize().width;
          assert.ok(width <= viewport, `${path} is ${width}px wide on a ${viewport}px screen`);
          await checkA11y(page, `${path} (${screenName})`);
        }
      });

      await step('6. a public form sent with mistakes moves the focus to the list of them', async () => {
        const family = await newContext(screen);
        await family.goto(`${base}/henvendelse/0101`);
        await clickAndWait(family, family.getByRole('button', { name: SELF_REFERRAL_SUBMIT, exact: true }));
        const summary = family.locator('.error-summary[role="alert"]');
        assert.ok(await summary.isVisible(), 'the list of mistakes');
        assert.ok(
          await summary.evaluate((el) => el === document.activeElement),
          'the list of mistakes has the focus after the submit',
        );
        const box = await summary.boundingBox();
        const viewport = family.viewportSize();
        assert.ok(box && box.y >= 0 && box.y < viewport.height, `the list is on the screen (top at ${box?.y})`);
        const links = await summary.locator('a').count();
        assert.ok(links > 0, 'each mistake links to its field');
        await checkA11y(family, `public form with mistakes (${screenName})`);
      });
    });
  }
});
