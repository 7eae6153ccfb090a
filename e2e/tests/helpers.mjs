// Start the real clusterdesk binary on a fresh demo database, and Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const PASSWORD = 'E2e-Demo-Pass-2026!';
/**
 * The demo accounts' TOTP secret (CLUSTERDESK_DEMO_TOTP_SECRET), base32: the bureau and the
 * 三员 sign in with the six-digit code a phone would show, computed here as RFC 6238 says.
 */
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
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
  const env = { ...process.env, CLUSTERDESK_DEMO_PASSWORD: PASSWORD, CLUSTERDESK_DEMO_TOTP_SECRET: TOTP_SECRET, CLUSTERDESK_NOW: NOW };
  let ownerDb = db;
  let role = '';
  if (pg) {
    // As deployed: the owner creates the tables and grants a role of the application's own,
    // which may add to the audit trail but not change it; the demo and the server use it.
    const name = `e2e_${process.pid}_${Date.now()}`;
    role = `${name}_app`;
    execFileSync('psql', [pg, '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
    execFileSync('psql', [pg, '-qc', `CREATE ROLE ${role} LOGIN`], { stdio: 'pipe' });
    ownerDb = pg.replace(/\/[^/]*$/, '/' + name);
    dropDb = () => {
      execFileSync('psql', [pg, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'pipe' });
      execFileSync('psql', [pg, '-qc', `DROP ROLE IF EXISTS ${role}`], { stdio: 'pipe' });
    };
  }
  try {
    if (pg) {
      // On the real clock: a set clock is only for a demo database, which this is not yet.
      const { CLUSTERDESK_NOW: _now, ...real } = env;
      execFileSync(BIN, ['--db', ownerDb, 'migrate', '--app-role', role], { env: real, stdio: 'pipe' });
      const app = new URL(ownerDb);
      app.username = role;
      app.password = '';
      db = app.toString();
    }
    execFileSync(BIN, ['--db', db, 'demo', '--enterprises', String(enterprises), '--seed', String(seed)], { env, stdio: 'pipe' });
    if (pg) {
      // The demo really went to PostgreSQL, not to a file beside the tests ...
      const n = Number(execFileSync('psql', [ownerDb, '-tAc', 'SELECT COUNT(*) FROM enterprises'], { encoding: 'utf8' }).trim());
      if (n !== enterprises) throw new Error(`the PostgreSQL database holds ${n} enterprises, not ${enterprises}`);
      // ... written by a role that cannot change the audit trail.
      const may = execFileSync('psql', [ownerDb, '-tAc', `SELECT has_table_privilege('${role}', 'audit_log', 'UPDATE')`], { encoding: 'utf8' }).trim();
      if (may !== 'f') throw new Error(`the application's role ${role} may update the audit trail`);
    }
  } catch (e) {
    // A failed start leaves no database or role behind.
    dropDb();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // The server's clock starts at NOW when it starts: its time is NOW plus the time since.
  const started = Date.now();
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
    /** The server's time, in milliseconds since 1970. */
    now: () => Date.parse(NOW) + (Date.now() - started),
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
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const c of text.replace(/[\s=-]/g, '').toUpperCase()) {
    acc = (acc << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return Buffer.from(out);
}

/** The six-digit code of a secret at a 30-second step (RFC 4226 dynamic truncation). */
export function totpAt(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[19] & 0x0f;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1000000).padStart(6, '0');
}

/** The accounts that sign in with a second factor, and the last step each one spent. */
const SECOND_FACTOR = new Set(['admin', 'sysadmin', 'secadmin', 'auditor']);
const lastStep = new Map();

/**
 * The next code of a demo account at the server's time, as its holder's phone shows it: a code
 * is good once, so a second sign-in within the same 30 s takes the next step's (the server
 * accepts one step either side), and waits when those are spent.
 */
export async function nextCode(server, username) {
  for (;;) {
    const now = Math.floor(server.now() / 1000 / 30);
    const key = `${server.url} ${username}`;
    const step = Math.max(now - 1, (lastStep.get(key) ?? -Infinity) + 1);
    if (step <= now + 1) { lastStep.set(key, step); return totpAt(TOTP_SECRET, step); }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `server` is what startServer returned, or its URL (accounts without a second factor only). */
export async function loginAs(browser, server, username) {
  const url = typeof server === 'string' ? server : server.url;
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(url + '/login');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  if (SECOND_FACTOR.has(username)) {
    if (typeof server === 'string') throw new Error(`loginAs(${username}) needs the server, for its clock`);
    await page.fill('#totp', await nextCode(server, username));
  }
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
