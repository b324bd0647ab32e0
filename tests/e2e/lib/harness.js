// Shared plumbing for the browser tests: a throwaway Samspor server, Debian's
// chromium, axe accessibility checks and a login helper.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const LISTENING_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\//;

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Failure screenshots land here; the folder is git-ignored.
export const RESULTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'test-results',
);

/**
 * Starts `$SAMSPOR_BIN serve` on a free port with demo data in a fresh data
 * directory, and resolves once `/readyz` answers 200.
 *
 * Resolves to `{ url, stop, log, dataDir }`: `url` ends in `/`, `stop()` ends
 * the server and removes its data, `log()` returns everything it printed so far.
 * `serverArgs(dataDir)` may add arguments to `serve`, e.g. a folder inside the
 * data directory.
 */
export async function startServer({ serverArgs = () => [] } = {}) {
  const bin = process.env.SAMSPOR_BIN;
  if (!bin) {
    throw new Error(
      'SAMSPOR_BIN is not set: it must point at a built samspor binary ' +
        '(scripts/e2e PATH_TO_SAMSPOR_BINARY sets it).',
    );
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samspor-e2e-'));
  const env = { ...process.env };
  // Browser tests must run on the embedded SQLite even on a machine where a
  // developer has PostgreSQL configured.
  delete env.SAMSPOR_DATABASE_URL;

  const args = ['serve', '--addr', '127.0.0.1:0', '--demo', '--data-dir', dataDir, ...serverArgs(dataDir)];
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });

  // Both streams interleaved line by line, each line tagged with its stream;
  // a line still being written is kept apart until its newline arrives.
  let output = '';
  const partial = { stdout: '', stderr: '' };
  const record = (stream) => (chunk) => {
    const lines = (partial[stream] + chunk.toString('utf8')).split('\n');
    partial[stream] = lines.pop();
    for (const line of lines) output += `[${stream}] ${line}\n`;
  };
  const log = () =>
    output +
    Object.entries(partial)
      .filter(([, rest]) => rest)
      .map(([stream, rest]) => `[${stream}] ${rest}\n`)
      .join('');
  let exited = null;
  child.stdout.on('data', record('stdout'));
  child.stderr.on('data', record('stderr'));

  let spawnError = null;
  const exitedPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    // A binary that cannot be run never emits 'exit'; count it as gone so
    // stop() does not wait for it.
    child.on('error', (err) => {
      spawnError = err;
      if (child.pid === undefined && exited === null) {
        exited = { code: null, signal: null };
        resolve(exited);
      }
    });
  });

  // A test file that crashes or forgets stop() must not leave a server
  // holding a port on a shared CI machine.
  const killOnExit = () => {
    if (exited === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    if (exited === null && child.exitCode === null) {
      child.kill('SIGTERM');
      const timedOut = await Promise.race([
        exitedPromise.then(() => false),
        sleep(STOP_GRACE_MS).then(() => true),
      ]);
      if (timedOut) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const fail = async (reason) => {
    await stop();
    throw new Error(
      `Samspor server did not start: ${reason}\n` +
        `command: ${bin} ${args.join(' ')}\n` +
        `--- server output ---\n${log() || '(nothing)\n'}--- end of server output ---`,
    );
  };

  let url;
  try {
    url = await waitForListeningUrl(child, exitedPromise);
  } catch (err) {
    return fail(spawnError ? `could not run it: ${spawnError.message}` : err.message);
  }

  const ready = await waitForReady(url, () => exited);
  if (ready !== true) return fail(ready);

  return { url, stop, log, dataDir };
}

function waitForListeningUrl(child, exitedPromise) {
  return new Promise((resolve, reject) => {
    let stdoutSoFar = '';
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
    };
    const onData = (chunk) => {
      stdoutSoFar += chunk.toString('utf8');
      // Only whole lines count, so a URL split across two chunks is not read
      // with a truncated port.
      const lines = stdoutSoFar.split('\n').slice(0, -1);
      const line = lines.find((l) => /listening/i.test(l) && URL_PATTERN.test(l));
      if (line) {
        cleanup();
        resolve(line.match(URL_PATTERN)[0]);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "listening on http://127.0.0.1:PORT/" line within ${LISTENING_TIMEOUT_MS / 1000} s`));
    }, LISTENING_TIMEOUT_MS);
    child.stdout.on('data', onData);
    exitedPromise.then(({ code, signal }) => {
      cleanup();
      reject(new Error(`it exited early (code ${code}, signal ${signal})`));
    });
  });
}

// Resolves to true when ready, or to a reason string when it never got there.
async function waitForReady(url, getExited) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const exited = getExited();
    if (exited) return `it exited while starting (code ${exited.code}, signal ${exited.signal})`;
    try {
      const res = await fetch(`${url}readyz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
      last = `GET ${url}readyz answered ${res.status}`;
    } catch (err) {
      last = `GET ${url}readyz failed: ${err.cause?.message ?? err.message}`;
    }
    await sleep(200);
  }
  return `not ready within ${READY_TIMEOUT_MS / 1000} s (${last})`;
}

/** Launches Debian's chromium; Playwright never downloads a browser of its own. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Fails with a readable list when axe finds WCAG 2.1 A/AA violations on the
 * page as it is now. `label` names the page in the message.
 */
export async function checkA11y(page, label) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  if (results.violations.length === 0) return;

  const lines = results.violations.map((v) => {
    const targets = v.nodes
      .slice(0, 3)
      .map((n) => n.target.map(String).join(' >>> '))
      .join(' | ');
    const more = v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : '';
    return `  - ${v.id} [${v.impact ?? 'unknown'}]: ${v.help}\n      at: ${targets}${more}\n      see: ${v.helpUrl}`;
  });
  assert.fail(
    `${results.violations.length} accessibility violation(s) on ${label} (${page.url()}):\n${lines.join('\n')}`,
  );
}

/**
 * Clicks and waits until the page it leads to has loaded. Resolves to the
 * main-frame response of that page (the last one after redirects).
 */
export async function clickAndWait(page, locator) {
  const navigation = page.waitForNavigation({ waitUntil: 'load' });
  await locator.click();
  return navigation;
}

/** Fills and submits the login form of the page that is already open. */
export async function submitLogin(page, email, password) {
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Adgangskode', { exact: true }).fill(password);
  return clickAndWait(page, page.getByRole('button', { name: 'Log ind', exact: true }));
}

/** Opens the login page and logs in; resolves to the response after login. */
export async function login(page, url, email, password) {
  await page.goto(`${url}login`);
  return submitLogin(page, email, password);
}

/**
 * Saves a screenshot and the HTML of the page for a failed step, so a red CI
 * run can be understood without rerunning it. Never throws: it runs while
 * another error is already on its way out.
 */
export async function saveFailureArtifacts(page, name) {
  try {
    await mkdir(RESULTS_DIR, { recursive: true });
    const base = path.join(RESULTS_DIR, name.replace(/[^a-z0-9æøå-]+/gi, '-').toLowerCase());
    await page.screenshot({ path: `${base}.png`, fullPage: true });
    await writeFile(`${base}.html`, await page.content());
    return `${base}.png`;
  } catch {
    return null;
  }
}
