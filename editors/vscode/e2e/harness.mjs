// The machinery of the code-server test: a code-server instance per scenario
// group (fresh user-data and extensions dirs, the .vsix installed), headless
// Chromium through puppeteer-core, DOM helpers, and the process tree that is
// killed at the end (only processes this file started).
//
// Environment (set by .ci/vscode-e2e.sh): CODE_SERVER, E2E_NODE_MODULES,
// CHROMIUM, VSIX, REPO, ARTIFACTS.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { basename, delimiter, dirname, join } from "node:path";

export const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is not set: run .ci/vscode-e2e.sh`);
  return v;
};

export const REPO = env("REPO");
export const ARTIFACTS = env("ARTIFACTS");
const require = createRequire(join(env("E2E_NODE_MODULES"), "noop.js"));
const puppeteer = require("puppeteer-core");

/** Generous: the machine has 2 cores and other work on it. */
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 60000);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; fails with `what` and the last value. */
export async function until(what, fn, { timeout = TIMEOUT, interval = 250 } = {}) {
  const end = Date.now() + timeout;
  let last;
  let error;
  for (;;) {
    try {
      last = await fn();
      error = undefined;
      if (last) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}` +
          (error ? ` (last error: ${error.message ?? error})` : ` (last value: ${JSON.stringify(last)})`),
      );
    }
    await sleep(interval);
  }
}

/** Waits until `fn` returns the same JSON value for `quiet` ms and returns it. */
export async function settled(what, fn, { quiet = 3000, timeout = TIMEOUT, interval = 250 } = {}) {
  const end = Date.now() + timeout;
  let value;
  let since = Date.now();
  let first = true;
  for (;;) {
    const v = JSON.stringify(await fn());
    if (first || v !== value) {
      value = v;
      since = Date.now();
      first = false;
    } else if (Date.now() - since >= quiet) {
      return JSON.parse(value);
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} to settle (last: ${value})`);
    await sleep(interval);
  }
}

// ---------------------------------------------------------------- processes

function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid ...: comm may hold spaces and parentheses
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

export function argv(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a, i, all) => i < all.length - 1 || a);
  } catch {
    return [];
  }
}

/** Every live process below `root` (not `root` itself). */
export function descendants(root) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(name);
    if (!st) continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(Number(name));
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** The `apimlint lsp` servers below `root`: [{pid, argv0, exe}]. */
export function lspServers(root) {
  return descendants(root)
    .map((pid) => ({ pid, argv: argv(pid) }))
    .filter(({ argv }) => argv.length >= 2 && basename(argv[0]) === "apimlint" && argv[1] === "lsp")
    .map(({ pid, argv }) => {
      let exe = "";
      try {
        exe = readlinkSync(`/proc/${pid}/exe`);
      } catch {}
      return { pid, argv0: argv[0], exe };
    });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pgid(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

/**
 * SIGTERM then SIGKILL to `root` and everything below it (collected first:
 * children get re-parented), and to root's process group when root leads it
 * (spawned detached by us), which catches what already left the tree.
 */
export async function killTree(root) {
  const pids = [root, ...descendants(root)];
  const group = pgid(root) === root ? root : undefined;
  for (const p of pids) {
    try {
      process.kill(p, "SIGTERM");
    } catch {}
  }
  if (group) {
    try {
      process.kill(-group, "SIGTERM");
    } catch {}
  }
  const end = Date.now() + 5000;
  while (Date.now() < end && pids.some(alive)) await sleep(100);
  for (const p of pids.filter(alive)) {
    try {
      process.kill(p, "SIGKILL");
    } catch {}
  }
  if (group) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {}
  }
  return pids;
}

// ------------------------------------------------------------ the fixtures

/** A throw-away copy of a fixture tree (edits never touch the repository). */
export function copyFixture(rel, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, rel), dir, { recursive: true });
  return dir;
}

/**
 * `apimlint check --format json .` run in DIR → the parsed report (exit 1 =
 * findings); its file names are relative to DIR.
 */
export function check(bin, dir) {
  let out;
  try {
    out = execFileSync(bin, ["check", "--format", "json", "."], { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (e) {
    if (e.status !== 1 || !e.stdout) throw e;
    out = e.stdout;
  }
  return JSON.parse(out);
}

// ------------------------------------------------------------- code-server

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** PATH without any directory that holds an `apimlint`: the bundled binary must serve. */
export function pathWithoutApimlint() {
  return (process.env.PATH ?? "/usr/bin:/bin")
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, "apimlint")))
    .join(delimiter);
}

const BASE_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "workbench.editor.enablePreview": false,
  "security.workspace.trust.enabled": false,
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "chat.commandCenter.enabled": false,
  "editor.quickSuggestions": { other: "off", comments: "off", strings: "off" },
  "editor.suggestOnTriggerCharacters": false,
  "editor.acceptSuggestionOnEnter": "off",
  "editor.autoClosingQuotes": "never",
  "editor.autoClosingBrackets": "never",
  "editor.minimap.enabled": false,
  "editor.hover.delay": 300,
  // VS Code in a browser saves after a delay by default: the edits must stay unsaved
  "files.autoSave": "off",
  "files.hotExit": "off",
  "window.restoreWindows": "none",
  "git.enabled": false,
};

export class CodeServer {
  /**
   * @param name a directory under ARTIFACTS for this instance's logs, data and screenshots
   * @param settings user settings (user-data/User/settings.json)
   * @param machineSettings the remote machine's settings (user-data/Machine/settings.json):
   *   in code-server every window is remote, and machine(-overridable) settings such as
   *   `apimlint.server.path` are read from there only (the Settings UI's "Remote" tab)
   */
  constructor(name, { settings = {}, machineSettings } = {}) {
    this.name = name;
    this.dir = join(ARTIFACTS, name);
    rmSync(this.dir, { recursive: true, force: true });
    this.userData = join(this.dir, "user-data");
    this.extensions = join(this.dir, "extensions");
    mkdirSync(join(this.userData, "User"), { recursive: true });
    mkdirSync(this.extensions, { recursive: true });
    writeFileSync(
      join(this.userData, "User", "settings.json"),
      JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2),
    );
    this.machineSettings = join(this.userData, "Machine", "settings.json");
    if (machineSettings) {
      mkdirSync(join(this.userData, "Machine"), { recursive: true });
      writeFileSync(this.machineSettings, JSON.stringify(machineSettings, null, 2));
    }
    this.log = join(this.dir, "code-server.log");
  }

  /** `code-server --install-extension VSIX`; returns the installed extension's directory. */
  install(vsix) {
    const out = execFileSync(
      env("CODE_SERVER"),
      ["--user-data-dir", this.userData, "--extensions-dir", this.extensions, "--install-extension", vsix],
      { encoding: "utf8", timeout: 120000 },
    );
    writeFileSync(join(this.dir, "install.log"), out);
    const ext = readdirSync(this.extensions).find((d) => d.startsWith("apimlint.apimlint-"));
    assert.ok(ext, `the extension is not in ${this.extensions} after --install-extension:\n${out}`);
    this.extensionDir = join(this.extensions, ext);
    return this.extensionDir;
  }

  async start() {
    this.port = await freePort();
    const fd = openSync(this.log, "a");
    this.proc = spawn(
      env("CODE_SERVER"),
      [
        "--bind-addr",
        `127.0.0.1:${this.port}`,
        "--auth",
        "none",
        "--user-data-dir",
        this.userData,
        "--extensions-dir",
        this.extensions,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
      ],
      {
        stdio: ["ignore", fd, fd],
        detached: true, // its own process group; killed by pid tree in stop()
        env: { ...process.env, PATH: pathWithoutApimlint() },
      },
    );
    this.pid = this.proc.pid;
    // for .ci/vscode-e2e.sh's clean-up, should this process die before stop()
    writeFileSync(join(this.dir, "code-server.pid"), `${this.pid}\n`);
    this.exited = false;
    this.proc.on("exit", () => (this.exited = true));
    await until(`code-server /healthz on port ${this.port}`, async () => {
      if (this.exited) throw new Error(`code-server exited; log: ${this.log}`);
      const r = await fetch(`http://127.0.0.1:${this.port}/healthz`).catch(() => undefined);
      return r?.ok;
    });
    this.browser = await puppeteer.launch({
      executablePath: env("CHROMIUM"),
      headless: true,
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1400"],
      defaultViewport: { width: 1600, height: 1400 },
      protocolTimeout: 180000,
      // in this instance's dir, so that .ci/vscode-e2e.sh can tell the browser is ours
      userDataDir: join(this.dir, "chromium-profile"),
    });
    const browserPid = this.browser.process()?.pid;
    if (browserPid) writeFileSync(join(this.dir, "chromium.pid"), `${browserPid}\n`);
    this.page = (await this.browser.pages())[0] ?? (await this.browser.newPage());
    this.page.setDefaultTimeout(TIMEOUT);
    this.console = [];
    this.page.on("console", (m) => this.console.push(`${m.type()}: ${m.text()}`));
    this.page.on("pageerror", (e) => this.console.push(`pageerror: ${e.message}`));
    return this;
  }

  url(query = "") {
    return `http://127.0.0.1:${this.port}/${query}`;
  }

  async open(query) {
    await this.page.goto(this.url(query), { waitUntil: "domcontentloaded", timeout: TIMEOUT * 2 });
    await this.page.waitForSelector(".monaco-workbench .part.statusbar", { timeout: TIMEOUT * 2 });
    // the status bar's problems item is there once the workbench has restored
    await this.page.waitForSelector('[id="status.problems"]', { timeout: TIMEOUT * 2 });
  }

  async screenshot(tag) {
    const file = join(ARTIFACTS, `${this.name}-${tag}.png`);
    try {
      await this.page?.screenshot({ path: file });
      return file;
    } catch {
      return undefined;
    }
  }

  /** Everything this instance started, ended; returns the pids killed. */
  async stop() {
    try {
      writeFileSync(join(this.dir, "browser-console.log"), (this.console ?? []).join("\n"));
    } catch {}
    try {
      await this.browser?.close();
    } catch {}
    const browserPid = this.browser?.process()?.pid;
    if (browserPid && (await until("Chromium to exit", () => !alive(browserPid), { timeout: 10000 }).catch(() => false)) === false) {
      await killTree(browserPid);
    }
    rmSync(join(this.dir, "chromium.pid"), { force: true });
    let killed = [];
    if (this.pid && !this.exited) {
      killed = await killTree(this.pid);
    }
    rmSync(join(this.dir, "code-server.pid"), { force: true });
    return killed;
  }
}

// ------------------------------------------------------------------- the DOM

/** Presses a chord such as "Control+Shift+KeyM" (puppeteer key names). */
export async function chord(page, keys) {
  const parts = keys.split("+");
  const key = parts.pop();
  for (const m of parts) await page.keyboard.down(m);
  await page.keyboard.press(key);
  for (const m of parts.reverse()) await page.keyboard.up(m);
}

/** The problems item of the status bar: {errors, warnings, infos} from its aria-label. */
export async function statusCounts(page) {
  const label = await page.$eval('[id="status.problems"]', (el) => {
    const a = el.querySelector("[aria-label]") ?? el;
    return a.getAttribute("aria-label") ?? el.textContent;
  });
  return parseCounts(label);
}

export function parseCounts(label) {
  const n = (re) => Number((label.match(re) ?? [0, 0])[1]);
  if (/no problems/i.test(label)) return { errors: 0, warnings: 0, infos: 0, label };
  return {
    errors: n(/(\d+)\s+errors?/i) || n(/errors?:?\s*(\d+)/i),
    warnings: n(/(\d+)\s+warnings?/i) || n(/warnings?:?\s*(\d+)/i),
    infos: n(/(\d+)\s+infos?/i) || n(/infos?:?\s*(\d+)/i),
    label,
  };
}

/** Visible text of every element matching `selector`. */
export function texts(page, selector) {
  // the editor renders spaces as no-break spaces
  return page.$$eval(selector, (els) => els.map((e) => (e.innerText ?? e.textContent ?? "").replace(/\u00a0/g, " ")));
}


/** Opens a file of the workspace by Ctrl+P and its relative path; waits for its editor. */
export async function quickOpen(page, rel) {
  await chord(page, "Control+KeyP");
  const input = await page.waitForSelector(".quick-input-widget input", { visible: true });
  await input.type(rel);
  // Enter opens the focused row: wait until the filter has made it our file
  // (before, it may be a recently opened editor such as Settings)
  await until(`Ctrl+P to offer ${rel} first`, async () => {
    const focused = await page
      .$eval(".quick-input-widget .monaco-list-row.focused", (e) => e.getAttribute("aria-label") ?? "")
      .catch(() => "");
    const value = await page.$eval(".quick-input-widget input", (e) => e.value).catch(() => "");
    const label = dirname(rel) === "." ? basename(rel) : `${basename(rel)} ${dirname(rel)}`;
    return value === rel && focused.startsWith(label);
  });
  await page.keyboard.press("Enter");
  await until(`an editor on ${rel}`, async () => {
    const title = await page.$eval(".tabs-container .tab.active", (e) => e.getAttribute("aria-label") ?? "").catch(() => "");
    const crumbs = (await texts(page, ".monaco-breadcrumbs")).join("/").replace(/\s+/g, "");
    const dir = dirname(rel);
    return title.startsWith(basename(rel)) && (dir === "." || crumbs.includes(dir.split("/").slice(-3).join("")));
  });
}

/** Moves the cursor of the active editor (Ctrl+G line:column) and checks where it is. */
export async function goTo(page, line, column) {
  await chord(page, "Control+KeyG");
  const input = await page.waitForSelector(".quick-input-widget input", { visible: true });
  await input.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
  await until(`the cursor at ${line}:${column}`, async () =>
    (await texts(page, '[id="status.editor.selection"]')).some((t) => t.includes(`Ln ${line}, Col ${column}`)),
  );
}

/** Runs a command from the palette by its exact label. */
export async function command(page, label) {
  await chord(page, "Control+Shift+KeyP");
  const input = await page.waitForSelector(".quick-input-widget input", { visible: true });
  await input.type(label);
  await until(`the command "${label}" first in the palette`, async () => {
    const focused = await page
      .$eval(".quick-input-widget .monaco-list-row.focused", (e) => e.getAttribute("aria-label") ?? "")
      .catch(() => "");
    const value = await page.$eval(".quick-input-widget input", (e) => e.value).catch(() => "");
    return value === `>${label}` && focused.startsWith(label);
  });
  await page.keyboard.press("Enter");
}

/**
 * Every finding of the Problems panel as "folder | Severity | line:col | message"
 * (related-information rows left out). The panel is maximised and the page tall
 * enough that the virtualised list renders all its rows; the list is scrolled
 * through anyway so that none is missed.
 */
export async function problems(page, root) {
  const rows = await page.$$eval(".markers-panel .monaco-list-row", (els) =>
    els.map((e) => ({ index: Number(e.getAttribute("data-index")), label: e.getAttribute("aria-label") ?? "" })),
  );
  rows.sort((a, b) => a.index - b.index);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].index !== i) throw new Error(`the Problems panel did not render row ${i} (rows: ${rows.map((r) => r.index)})`);
  }
  const out = [];
  let folder = "?";
  for (const { label } of rows) {
    const header = label.match(/^\d+ problems? in file \S+ of folder (.*)$/);
    if (header) {
      const top = root.replace(/\/$/, "");
      // a file at the root of the workspace: its folder is the root itself
      folder = header[1] === top ? "." : header[1].startsWith("/") ? header[1].replace(top + "/", "") : header[1];
      continue;
    }
    const m = label.match(/^(Error|Warning|Info|Hint): ([\s\S]*?)(?:\nhelp: [\s\S]*?)? at line (\d+) and character (\d+)\./);
    if (m) out.push(`${folder} | ${m[1]} | ${m[3]}:${m[4]} | ${m[2]}`);
  }
  return out.sort();
}

export async function showProblems(page) {
  // Ctrl+Shift+M toggles: press it only when the panel is not shown
  const panel = await page.$(".markers-panel");
  if (!panel || !(await panel.isVisible())) {
    await chord(page, "Control+Shift+KeyM");
  }
  await page.waitForSelector(".markers-panel", { visible: true });
  // maximised, so that every row renders (the list is virtualised)
  const maximized = await page.$(".monaco-workbench.maximized-panel, .monaco-workbench .part.panel.maximized");
  if (!maximized) {
    const h = await page.$eval(".part.panel", (e) => e.getBoundingClientRect().height);
    if (h < 600) {
      await command(page, "View: Toggle Maximized Panel");
      await until("the panel maximised", async () =>
        (await page.$eval(".part.panel", (e) => e.getBoundingClientRect().height)) >= 600,
      );
    }
  }
}
