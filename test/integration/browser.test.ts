// The documentation in a real browser (issue 8): Debian's Chromium driven by playwright-core opens the landing
// page, Swagger UI and GraphiQL, runs one request in each, and saves a screenshot of each under
// test/artifacts/ (gitignored). Fails — never skips — without Chromium, naming the command that installs it.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { entry, role } from './support/access.js';
import { useChinook } from './support/chinook.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const KEY = 'browser-test-key-0123456789abcdef';

describe('the documentation in Chromium', () => {
  const chinook = useChinook('sqlite');
  let open: TestServer;
  let secured: TestServer;
  let browser: Browser;
  const origin = (server: TestServer) => new URL(server.url).origin;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
      );
    mkdirSync(ARTIFACTS, { recursive: true });
    const base = testConfig([chinook.service]);
    open = await startTestServer(base);
    secured = await startTestServer({
      ...base,
      auth: {
        apiKeyInQuery: false,
        roles: [role('reader', [entry('_table/*', ['GET'])])],
        apps: [{ name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hashApiKey(KEY) }],
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await open?.close();
    await secured?.close();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Nothing may come from elsewhere: every request goes to the test servers.
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'blob:' && url.protocol !== 'data:' && url.hostname !== '127.0.0.1')
        external.push(request.url());
    });
    return page;
  }
  const external: string[] = [];

  it('landing page: lists the tables, and a table link answers its records', async () => {
    const page = await newPage();
    await page.goto(`${origin(open)}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Junction');
    expect(await page.locator('a[href="/graphql"]').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}landing.png`, fullPage: true });
    await page.click('a[href="/api/v2/chinook/_table/Album?limit=5"]');
    await page.waitForURL(/_table\/Album/);
    expect(await page.locator('body').innerText()).toContain('For Those About To Rock We Salute You');
    await page.close();
  });

  it('Swagger UI: with the API key typed in, "Try it out" on GET /_table/Album answers 200', async () => {
    const page = await newPage();
    await page.goto(`${origin(secured)}/api/v2/api_docs`);
    await page.fill('#junction-key input', KEY);
    await Promise.all([page.waitForEvent('load'), page.click('#junction-key button')]);
    const operation = page.locator('#operations-_table-list_Album');
    await operation.waitFor({ timeout: 30_000 });
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('input[placeholder="limit"]').fill('3');
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('200');
    expect(await operation.locator('.live-responses-table').innerText()).toContain('Balls to the Wall');
    await page.screenshot({ path: `${ARTIFACTS}swagger-ui.png`, fullPage: false });
    await page.close();
  });

  it('GraphiQL: runs the example query', async () => {
    const page = await newPage();
    await page.goto(`${origin(open)}/graphql`);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 30_000 });
    await run.click();
    await expect
      // Monaco renders spaces as no-break spaces.
      .poll(() => page.locator('body').innerText(), { timeout: 30_000 })
      .toMatch(/"title":\s"For\sThose\sAbout\sTo\sRock/);
    await page.screenshot({ path: `${ARTIFACTS}graphiql.png`, fullPage: false });
    await page.close();
  });

  it('loaded nothing from outside the test servers', () => {
    expect(external).toEqual([]);
  });
});
