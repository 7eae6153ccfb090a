// Start the real clusterdesk binary on a fresh demo database, and Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const PASSWORD = 'E2e-Demo-Pass-2026!';
const here = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(here, '..', 'screenshots');

const BIN = process.env.CLUSTERDESK_BIN || join(here, '..', '..', 'target', 'debug', 'clusterdesk');

/**
 * The time the demo and the server run at (CLUSTERDESK_NOW), never the machine's: scripts/test
 * runs the browser tests at several dates by setting CLUSTERDESK_E2E_NOW.
 */
export const NOW = process.env.CLUSTERDESK_E2E_NOW || '2026-12-02T10:00:00+08:00';
const beijing = new Date(Date.parse(NOW) + 8 * 3600 * 1000);
/** Today in Beijing at NOW: year, month (1–12) and day. */
export const TODAY = { year: beijing.getUTCFullYear(), month: beijing.getUTCMonth() + 1, day: beijing.getUTCDate() };
if (Number.isNaN(beijing.getTime())) throw new Error(`CLUSTERDESK_E2E_NOW is not a time: ${NOW}`);

/** A demo city in a temporary database, made and served at NOW, on a free port. */
export async function startServer({ enterprises = 600, seed = 7 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'clusterdesk-e2e-'));
  // CLUSTERDESK_E2E_PG (a PostgreSQL server's URL) runs the same tests on a new database there.
  const pg = process.env.CLUSTERDESK_E2E_PG;
  let db = join(dir, 'e2e.db');
  let dropDb = () => {};
  if (pg) {
    const name = `e2e_${process.pid}_${Date.now()}`;
    execFileSync('psql', [pg, '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
    db = pg.replace(/\/[^/]*$/, '/' + name);
    dropDb = () => execFileSync('psql', [pg, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
  }
  const env = { ...process.env, CLUSTERDESK_DEMO_PASSWORD: PASSWORD, CLUSTERDESK_NOW: NOW };
  execFileSync(BIN, ['--db', db, 'demo', '--enterprises', String(enterprises), '--seed', String(seed)], { env, stdio: 'pipe' });
  if (pg) {
    // The demo really went to PostgreSQL, not to a file beside the tests.
    const n = Number(execFileSync('psql', [db, '-tAc', 'SELECT COUNT(*) FROM enterprises'], { encoding: 'utf8' }).trim());
    if (n !== enterprises) throw new Error(`the PostgreSQL database holds ${n} enterprises, not ${enterprises}`);
  }
  const proc = spawn(BIN, ['--db', db, 'serve', '--bind', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) { clearTimeout(timer); resolve(m[0].replace(/\/$/, '')); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return {
    url,
    engine: pg ? 'postgres' : 'sqlite',
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      dropDb();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A new page at 1366×768, signed in through the login form. */
export async function loginAs(browser, url, username) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(url + '/login');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  return page;
}

/**
 * Click something that loads a new page (a form post, a link) and wait until that page is there.
 * `waitForLoadState('load')` alone returns at once, since the current page is already loaded.
 */
export async function clickAndWait(page, target) {
  const click = typeof target === 'string' ? () => page.click(target) : () => target.click();
  await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), click()]);
  await page.waitForLoadState('load');
}
