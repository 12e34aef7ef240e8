#!/usr/bin/env node
// `ledgerbridge auth login` through a real browser: the real CLI against the real simulator
// over HTTPS, with $BROWSER pointing at open-in-chromium.mjs (headless Debian chromium driven by
// playwright-core). Cases: approve, deny, stray requests while the login waits, the wrong
// company. Each asserts the CLI's exit code and words, and what the browser saw: status and
// reason phrase, the security headers, the page's language, heading, text and applied styling.
//
// Run by CTest (tests/browser/CMakeLists.txt) with LEDGERBRIDGE_BIN, LEDGERBRIDGE_SIM and
// LB_TOOLING_DIR set. Exits 77 (CTest: skipped) with a message when chromium or
// tests/tooling/node_modules is missing; scripts/setup installs both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { request } from 'node:https';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.LEDGERBRIDGE_BIN;
const simBin = process.env.LEDGERBRIDGE_SIM;
const tooling = process.env.LB_TOOLING_DIR || path.join(here, '..', 'tooling');
const chromiumPath = process.env.LB_CHROMIUM || '/usr/bin/chromium';

for (const [what, missing] of [
  ['chromium', !existsSync(chromiumPath) && `${chromiumPath} (Debian package chromium)`],
  ['playwright-core', !existsSync(path.join(tooling, 'node_modules', 'playwright-core')) &&
    `${tooling}/node_modules/playwright-core (run npm ci in tests/tooling)`],
]) {
  if (missing) {
    console.log(`SKIPPED browser login tests: ${what} is not installed: ${missing}. scripts/setup installs it.`);
    process.exit(77);
  }
}
assert.ok(bin && simBin, 'LEDGERBRIDGE_BIN and LEDGERBRIDGE_SIM name the built binaries');

const work = mkdtempSync(path.join(tmpdir(), 'lb-browser-login-'));
const secret = `sim-client-secret-${randomBytes(12).toString('hex')}`;
let sim, base, caFile, redirect, companies;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function admin(method, p) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${p}`, { method, ca: readFileSync(caFile) }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(body)) : reject(new Error(`${p}: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function run(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function readReport(file) {
  for (let i = 0; i < 300 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(file), 'the browser script wrote its report');
  const report = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(report.error, undefined, `the browser script failed: ${report.error}`);
  return report;
}

/// A fresh installation (config, client secret file, state) for connection 'acme' of companies[0].
function installation(name) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'client-secret'), `${secret}\n`, { mode: 0o600 });
  const config = path.join(dir, 'ledgerbridge.ini');
  writeFileSync(config, `environment = sim

[state]
dir = ${dir}/state
token_key = file:${dir}/keys/token.key

[environment.sim]
auth_url = ${base}
api_url = ${base}
client_id = ledgerbridge-demo
client_secret = file:${dir}/client-secret
redirect_uri = ${redirect}
scopes = export:read export:write
ca_file = ${caFile}

[connection.acme]
company_id = ${companies[0].id}
plugin = csv
`, { mode: 0o600 });
  return config;
}

/// Runs `auth login` with the browser script as $BROWSER (after a first entry that cannot
/// start, so the list is exercised) and returns the CLI's result and the browser's report.
async function login(name, browserEnv) {
  const config = installation(name);
  const report = path.join(work, `${name}.report.json`);
  const opener = `node ${path.join(here, 'open-in-chromium.mjs')} %s`;
  const cli = await run(['--config', config, 'auth', 'login', '--connection', 'acme', '--timeout', '90'], {
    BROWSER: `/nonexistent/lb-browser:${opener}`,
    LB_BROWSER_REPORT: report,
    LB_TOOLING_DIR: tooling,
    LB_CHROMIUM: chromiumPath,
    ...browserEnv,
  });
  assert.match(cli.out, new RegExp(`Opened it in a browser \\(${opener.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)\\. Approve access there\\.`),
    `the CLI says it opened a browser:\n${cli.out}\n${cli.err}`);
  const seen = await readReport(report);
  const status = await run(['--config', config, 'auth', 'status', '--connection', 'acme', '--local']);
  return { cli, seen, status };
}

function assertSecurePage(page, { status, statusText, heading, color }) {
  assert.equal(page.status, status, page.text);
  assert.equal(page.statusText, statusText, 'the reason phrase matches the status');
  const csp = page.headers['content-security-policy'];
  assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; frame-ancestors 'none'$/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.lang, 'en');
  assert.equal(page.h1, heading);
  // The inline style applied although the CSP forbids every other style: its hash is right.
  assert.equal(page.h1Color, color);
  assert.equal(page.bodyMaxWidth, '640px');
}

/// After the consent form was posted, the browser asked the loopback listener for nothing but
/// the redirect (and perhaps its favicon): the page loads no external resource.
function assertNothingElseLoaded(seen) {
  const origin = new URL(redirect).origin;
  const after = seen.requests.slice(seen.requestsBeforeConsent + 1);  // +1: the consent POST
  assert.ok(after.some((r) => r.startsWith(`GET ${redirect}?`)), after.join('\n'));
  for (const r of after) assert.ok(r.startsWith(`GET ${origin}/`), `unexpected request ${r}`);
  // Chromium logs every non-2xx page load ("Failed to load resource: ... 403"); anything else,
  // a refused inline style above all, is a defect of the page.
  const errors = seen.console.slice(seen.consoleBeforeRedirect)
    .filter((m) => m.startsWith('error') && !m.includes('Failed to load resource'));
  assert.deepEqual(errors, [], 'no CSP violation or other error');
}

const GREEN = 'rgb(19, 108, 46)';
const RED = 'rgb(161, 24, 31)';
const COMMAND = 'ledgerbridge auth login --connection acme';

before(async () => {
  redirect = `http://127.0.0.1:${await freePort()}/callback`;
  sim = spawn(simBin, ['--port', '0', '--tls-dir', path.join(work, 'tls'), '--redirect-uri', redirect,
    '--client-secret', secret, '--strict-client-auth', '--quiet', '--companies', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let banner = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${banner}`)), 20000);
    sim.stdout.on('data', (d) => {
      banner += d;
      if (/^admin: /m.test(banner)) { clearTimeout(timer); resolve(); }
    });
  });
  base = banner.split('\n')[0].trim();
  caFile = banner.match(/^ca-file: (.*)$/m)[1].trim();
  companies = (await admin('GET', '/admin/companies')).data;
  assert.equal(companies.length, 2);
});

after(() => {
  if (sim) sim.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

test('approve: the page names the connection and company only after the code was exchanged', async () => {
  const { cli, seen, status } = await login('approve', { LB_BROWSER_ACTION: 'approve' });
  assert.equal(cli.code, 0, cli.err);
  assert.match(cli.out, /Connection 'acme' is authorised in environment 'sim'\./);
  assertSecurePage(seen.final, { status: 200, statusText: 'OK', heading: 'ledgerbridge is authorised', color: GREEN });
  assert.match(seen.final.text,
    new RegExp(`Access for connection 'acme' \\(sim\\) was granted and stored for company ${companies[0].urn}\\.`));
  assert.equal(seen.final.title, 'ledgerbridge is authorised - ledgerbridge');
  assertNothingElseLoaded(seen);
  assert.equal(status.code, 0, `the grant is stored: ${status.out}${status.err}`);
});

test('deny: the page and the CLI say access was declined and how to start again', async () => {
  const { cli, seen, status } = await login('deny', { LB_BROWSER_ACTION: 'deny' });
  assert.equal(cli.code, 4, cli.out + cli.err);
  const sentence = `Access was declined on the authorization page, so no grant was stored. Run \`${COMMAND}\` again`;
  assert.ok(cli.err.includes(sentence), cli.err);
  assertSecurePage(seen.final, { status: 403, statusText: 'Forbidden', heading: 'ledgerbridge was not authorised', color: RED });
  assert.ok(seen.final.text.includes(sentence), seen.final.text);
  assert.ok(seen.final.text.includes(`Run this in the terminal to start again: ${COMMAND}`), seen.final.text);
  assertNothingElseLoaded(seen);
  assert.equal(status.code, 4, 'no grant');
});

test('stray requests while waiting get error pages and do not end the login', async () => {
  const { cli, seen, status } = await login('stray', { LB_BROWSER_ACTION: 'approve', LB_BROWSER_STRAY: '1' });
  const [stale, favicon] = seen.strays;
  assertSecurePage(stale, { status: 400, statusText: 'Bad Request', heading: 'Not the login ledgerbridge is waiting for', color: RED });
  assert.match(stale.text, /The login in the terminal is still waiting/);
  assertSecurePage(favicon, { status: 404, statusText: 'Not Found', heading: 'Nothing here', color: RED });
  assert.equal(cli.code, 0, cli.out + cli.err);
  assert.match(cli.err, /ignored a redirect without this login's state/);
  assert.ok(!cli.err.includes('stale-code'), 'the stray query (it may hold a code) is not logged');
  assertSecurePage(seen.final, { status: 200, statusText: 'OK', heading: 'ledgerbridge is authorised', color: GREEN });
  assert.equal(status.code, 0);
});

test('the wrong company: nothing stored, and both the page and the CLI say which company to choose', async () => {
  const { cli, seen, status } = await login('wrong-company', { LB_BROWSER_ACTION: 'approve', LB_BROWSER_COMPANY: companies[1].id });
  assert.equal(cli.code, 4, cli.out + cli.err);
  const sentence = `Access was granted for ${companies[1].urn}, but connection 'acme' is configured for company ${companies[0].id}. ` +
    `Run \`${COMMAND}\` again and choose that company on the consent page`;
  assert.ok(cli.err.includes(sentence), cli.err);
  assertSecurePage(seen.final, { status: 403, statusText: 'Forbidden', heading: 'ledgerbridge was not authorised', color: RED });
  assert.ok(seen.final.text.includes(sentence), seen.final.text);
  assertNothingElseLoaded(seen);
  assert.equal(status.code, 4, 'no grant stored for the wrong company');
});
