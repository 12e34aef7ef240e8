#!/usr/bin/env node
// The $BROWSER of the browser login tests: `ledgerbridge auth login` runs it with the
// authorization URL as its last argument, as it would run firefox. It opens the URL in Debian's
// headless chromium through playwright-core, plays the person on the simulator's login and
// consent page, and writes what the browser saw (status, reason phrase, headers, text, the
// computed style, console messages, every request) as JSON to $LB_BROWSER_REPORT.
//
// Environment (set by login.test.mjs): LB_BROWSER_REPORT (required), LB_BROWSER_ACTION
// (approve | deny), LB_BROWSER_COMPANY (company id to pick), LB_BROWSER_STRAY (1: first visit
// the listener with a stale redirect and /favicon.ico), LB_TOOLING_DIR, LB_CHROMIUM, and
// LB_BROWSER_SCREENSHOT (a PNG path for the final page, to look at it by hand).
import { createRequire } from 'node:module';
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';

const reportPath = process.env.LB_BROWSER_REPORT;
const report = { argv: process.argv.slice(2), requests: [], console: [] };

function save() {
  writeFileSync(`${reportPath}.tmp`, JSON.stringify(report, null, 2));
  renameSync(`${reportPath}.tmp`, reportPath);  // the test never reads half a report
}

// What a person would see of one loaded page, plus the response that brought it.
async function describe(page, response) {
  return {
    url: response.url(),
    status: response.status(),
    statusText: response.statusText(),
    headers: await response.allHeaders(),
    lang: await page.getAttribute('html', 'lang'),
    title: await page.title(),
    h1: await page.textContent('h1'),
    h1Color: await page.$eval('h1', (h) => getComputedStyle(h).color),
    bodyMaxWidth: await page.$eval('body', (b) => getComputedStyle(b).maxWidth),
    text: await page.innerText('body'),
  };
}

let browser;
try {
  const url = process.argv[process.argv.length - 1];
  const redirect = new URL(url).searchParams.get('redirect_uri');
  const require = createRequire(path.join(process.env.LB_TOOLING_DIR, 'package.json'));
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: process.env.LB_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],  // the tests run as root in CI
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });  // the simulator's own CA
  const page = await context.newPage();
  page.on('console', (m) => report.console.push(`${m.type()}: ${m.text()}`));
  page.on('request', (r) => report.requests.push(`${r.method()} ${r.url()}`));

  if (process.env.LB_BROWSER_STRAY === '1') {
    report.strays = [];
    for (const stray of [`${redirect}?code=stale-code&state=from-an-older-attempt`, new URL('/favicon.ico', redirect).href]) {
      const response = await page.goto(stray);
      report.strays.push(await describe(page, response));
    }
  }

  await page.goto(url);
  await page.fill('input[name=username]', 'alice');
  await page.fill('input[name=password]', 'password');
  if (process.env.LB_BROWSER_COMPANY) await page.selectOption('select[name=company_id]', process.env.LB_BROWSER_COMPANY);
  report.consoleBeforeRedirect = report.console.length;
  report.requestsBeforeConsent = report.requests.length;
  const action = process.env.LB_BROWSER_ACTION || 'approve';
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(redirect), { timeout: 60000 }),
    page.click(`button[value=${action}]`),
  ]);
  await page.waitForLoadState('load');
  report.final = await describe(page, response);
  if (process.env.LB_BROWSER_SCREENSHOT) await page.screenshot({ path: process.env.LB_BROWSER_SCREENSHOT });
} catch (e) {
  report.error = String(e && e.stack ? e.stack : e);
} finally {
  save();
  if (browser) await browser.close();
}
