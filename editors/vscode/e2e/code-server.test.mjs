// The packaged extension (.vsix, server bundled) in a real VS Code: code-server
// 4.100.3 (VS Code 1.100.3) in headless Chromium, driven by the keyboard as a
// user would. What VS Code shows is compared with `apimlint check --format json`
// of the bundled binary on a tree holding the same text as the editor.
//
// Run through .ci/vscode-e2e.sh (it installs code-server, puppeteer-core and
// Chromium and sets the environment read by harness.mjs).
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CodeServer,
  REPO,
  check,
  chord,
  command,
  copyFixture,
  descendants,
  env,
  goTo,
  lspServers,
  pathWithoutApimlint,
  problems,
  quickOpen,
  settled,
  showProblems,
  statusCounts,
  texts,
  until,
} from "./harness.mjs";

const FIXTURE = "fixtures/deployments/pattern-1-broken";
const GW2 = "region-1/gw-2/repository/conf/deployment.toml";
const SEVERITY = { error: "Error", warning: "Warning", info: "Info", hint: "Hint" };

// ------------------------------------------------------------------ helpers

/** `check` on a tree; `rel` is each finding's file relative to the tree. */
function report(bin, root) {
  const r = check(bin, root);
  for (const d of r.diagnostics) d.rel = d.file.replace(/^\.\//, "");
  return r;
}

/** One line per finding, as comparable between the CLI and the Problems panel. */
function expectedProblems(r) {
  return r.diagnostics
    .map((d) => `${dirname(d.rel)} | ${SEVERITY[d.severity]} | ${d.range.start.line}:${d.range.start.column} | ${d.message}`)
    .sort();
}

function counts(r) {
  return { errors: r.summary.errors, warnings: r.summary.warnings, infos: r.summary.infos };
}

/** The status bar's counts without its label. */
async function statusNumbers(page) {
  const { errors, warnings, infos } = await statusCounts(page);
  return { errors, warnings, infos };
}

/** Waits until the Problems panel and the status bar agree with the CLI, and stay so. */
async function expectShown(cs, root, r, what) {
  const want = expectedProblems(r);
  const wantCounts = counts(r);
  await showProblems(cs.page);
  await until(`${what}: the status bar to show ${JSON.stringify(wantCounts)}`, async () => {
    const c = await statusNumbers(cs.page);
    return JSON.stringify(c) === JSON.stringify(wantCounts);
  });
  const seen = await settled(`${what}: the Problems panel`, async () => ({
    status: await statusNumbers(cs.page),
    problems: await problems(cs.page, root),
  }));
  assert.deepEqual(seen.status, wantCounts, `${what}: status bar`);
  assert.deepEqual(seen.problems, want, `${what}: Problems panel vs apimlint check`);
  return seen;
}

/** Screenshot on failure, and the path in the error. */
async function withScreenshot(cs, tag, fn) {
  try {
    return await fn();
  } catch (e) {
    const shot = await cs.screenshot(tag);
    if (shot) e.message += `\n  screenshot: ${shot}`;
    throw e;
  }
}

/** Applies a fix's edits (1-based line/column) to the files under root. */
function applyFix(root, fix) {
  const byFile = new Map();
  for (const e of fix.edits) {
    const rel = e.file.replace(/^\.\//, "");
    if (!byFile.has(rel)) byFile.set(rel, []);
    byFile.get(rel).push(e);
  }
  for (const [rel, edits] of byFile) {
    const path = join(root, rel);
    let text = readFileSync(path, "utf8");
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
    const offset = (p) => lineStarts[p.line - 1] + p.column - 1;
    // from the end, so that earlier offsets stay valid
    for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
      text = text.slice(0, offset(e.range.start)) + e.new_text + text.slice(offset(e.range.end));
    }
    writeFileSync(path, text);
  }
}

/** Ctrl+. at the cursor, then the quick fix of that title chosen by the keyboard. */
async function quickFix(page, title) {
  await chord(page, "Control+Period");
  await until(`the quick fix "${title}"`, async () => {
    const rows = await page.$$eval(".action-widget .monaco-list-row.action", (els) =>
      els.map((e) => ({ label: e.getAttribute("aria-label"), focused: e.classList.contains("focused") })),
    );
    const i = rows.findIndex((r) => r.label === title);
    if (i < 0) return false;
    const f = rows.findIndex((r) => r.focused);
    if (f === i) return true;
    await page.keyboard.press(f < i ? "ArrowDown" : "ArrowUp");
    return false;
  });
  await page.keyboard.press("Enter");
}

// ---------------------------------------------------------------- scenarios

const VSIX = env("VSIX");

describe("a deployment folder in code-server, the bundled server", () => {
  let cs;
  let bin; // the binary bundled in the .vsix, for the CLI's view
  let ws; // the folder open in VS Code (a copy of the fixture)
  let shadow; // a copy holding what the editors hold (unsaved edits included)
  let initial; // apimlint check on the untouched fixture

  before(async () => {
    cs = new CodeServer("folder");
    const ext = cs.install(VSIX);
    bin = join(ext, "server", "apimlint");
    assert.ok(existsSync(bin), `the .vsix has no bundled server at server/apimlint (${ext})`);
    ws = copyFixture(FIXTURE, join(cs.dir, "ws"));
    shadow = copyFixture(FIXTURE, join(cs.dir, "shadow"));
    initial = report(bin, ws);
    assert.ok(initial.summary.errors > 0 && initial.summary.warnings > 0, "the fixture has errors and warnings");
    assert.ok(
      initial.diagnostics.some((d) => d.rule === "gateway-label-unmatched" && d.rel === GW2 && d.message.includes("Defualt")),
      "the fixture's label typo",
    );
    await cs.start();
    await cs.open(`?folder=${encodeURIComponent(ws)}`);
  });

  after(async () => {
    const killed = await cs?.stop();
    if (cs?.pid) {
      assert.deepEqual(descendants(cs.pid), [], "processes left behind");
      assert.ok(killed.length > 0);
    }
  });

  test("1: with no setting and no apimlint on PATH the bundled server serves; the findings equal the CLI's", async () => {
    await withScreenshot(cs, "1", async () => {
      assert.ok(!pathWithoutApimlint().split(":").some((d) => existsSync(join(d, "apimlint"))));
      await quickOpen(cs.page, GW2);
      const seen = await expectShown(cs, ws, initial, "scenario 1");
      const servers = lspServers(cs.pid);
      assert.equal(servers.length, 1, `one server: ${JSON.stringify(servers)}`);
      assert.equal(servers[0].exe, bin, "the server is the bundled binary");
      console.log(`# scenario 1: status bar ${JSON.stringify(seen.status)}, ${seen.problems.length} problems`);
    });
  });

  test("4: the hover on a finding shows its rule's summary and a link to the rule's page, not the page", async () => {
    await withScreenshot(cs, "4", async () => {
      const d = initial.diagnostics.find((x) => x.rel === GW2 && x.rule === "gateway-label-unmatched");
      const doc = readFileSync(join(REPO, "rules", `${d.rule}.md`), "utf8");
      const summary = doc
        .split("## What it checks")[1]
        .split("\n")
        .map((l) => l.trim())
        .find(Boolean)
        .replaceAll("`", "");
      assert.match(doc, /## Why it matters/);
      await chord(cs.page, "Control+Digit1");
      await goTo(cs.page, d.range.start.line, d.range.start.column + 2);
      await chord(cs.page, "Control+KeyK");
      await chord(cs.page, "Control+KeyI");
      const hover = await until("the hover", async () => {
        const h = await cs.page.$$eval(".monaco-editor .monaco-hover:not(.hidden)", (els) =>
          els
            .filter((e) => e.offsetParent !== null)
            .map((e) => ({
              text: e.innerText,
              links: [...e.querySelectorAll("a")].map((a) => a.getAttribute("data-href") || a.getAttribute("href") || ""),
            })),
        );
        return h.find((x) => x.text.includes(d.rule) && x.text.includes(summary.slice(0, 30)));
      });
      assert.ok(hover.text.includes(`${d.rule} (error)`), `the rule and its severity:\n${hover.text}`);
      assert.ok(hover.text.includes(summary), `the summary "${summary}":\n${hover.text}`);
      assert.ok(
        hover.links.some((l) => l.endsWith(`rules/${d.rule}.md`)),
        `a link to rules/${d.rule}.md: ${JSON.stringify(hover.links)}`,
      );
      assert.ok(!/Why it matters/.test(hover.text), `not the whole page:\n${hover.text}`);
      // none of the page's section headings (rendered as lines of their own)
      const headings = hover.text.split("\n").filter((l) => /^(What it checks|Why it matters|Example|Fix)$/.test(l.trim()));
      assert.deepEqual(headings, [], `no section of the page:\n${hover.text}`);
      await cs.page.keyboard.press("Escape");
    });
  });

  test("5: apimlint.server.path changed three times in the Settings UI: one server, the last path, no duplicate findings", async () => {
    await withScreenshot(cs, "5", async () => {
      const page = cs.page;
      const paths = ["a", "b", "c"].map((x) => {
        const p = join(cs.dir, "bins", x, "apimlint");
        mkdirSync(dirname(p), { recursive: true });
        cpSync(bin, p);
        return p;
      });
      await chord(page, "Control+Comma");
      await page.waitForSelector(".settings-editor", { visible: true });
      // in code-server every window is remote: a machine-overridable setting is on the Remote tab
      const tab = await until("the Settings UI's Remote tab", async () => {
        for (const el of await page.$$(".settings-editor .settings-tabs-widget .action-label")) {
          if ((await el.evaluate((e) => e.innerText)).startsWith("Remote")) return el;
        }
      });
      await tab.click();
      await page.waitForSelector(".settings-editor .suggest-input-container .monaco-editor textarea");
      await page.click(".settings-editor .suggest-input-container");
      await chord(page, "Control+KeyA");
      await page.keyboard.type("apimlint.server.path");
      const selector = '.settings-editor .setting-item-contents input[aria-label="apimlint.server.path"]';
      await page.waitForSelector(selector, { visible: true });
      const inFile = () => {
        try {
          return JSON.parse(readFileSync(cs.machineSettings, "utf8"))["apimlint.server.path"];
        } catch {
          return undefined;
        }
      };
      for (const p of paths) {
        // the whole path as one input event (the Settings UI re-renders the
        // input after each write: keystrokes could land in the old one)
        await until(`the setting's input to hold ${p}`, async () => {
          if (inFile() === p) return true;
          const input = await page.$(selector);
          await input.click();
          await chord(page, "Control+KeyA");
          await page.keyboard.sendCharacter(p);
          return (await page.$eval(selector, (e) => e.value)) === p;
        }, { interval: 1000 });
        // each value reaches the settings file: one configuration change each
        await until(`${p} in ${cs.machineSettings}`, () => inFile() === p);
        // pace: let the Settings UI re-render after the write (it may show a
        // stale value for a moment, so this is a wait, not an assertion)
        await settled("the Settings UI after the write", () => page.$eval(selector, (e) => e.value), { quiet: 1000 });
      }
      const last = paths[2];
      const servers = await settled(
        "the servers after three changes",
        async () => lspServers(cs.pid).map((s) => s.exe),
        { quiet: 5000 },
      );
      assert.deepEqual(servers, [last], "exactly one apimlint lsp, the last path set");
      // back to an editor and the Problems panel
      await quickOpen(page, GW2);
      await expectShown(cs, ws, initial, "scenario 5");
      assert.deepEqual(
        lspServers(cs.pid).map((s) => s.exe),
        [last],
        "still one server",
      );
    });
  });

  test("2: typing the label fix removes the finding without saving", async () => {
    await withScreenshot(cs, "2", async () => {
      const page = cs.page;
      const d = initial.diagnostics.find((x) => x.rel === GW2 && x.rule === "gateway-label-unmatched");
      const lines = readFileSync(join(ws, GW2), "utf8").split("\n");
      const line = d.range.start.line;
      const column = lines[line - 1].indexOf('"Defualt"') + 2;
      assert.ok(column > 1, `the label on line ${line}: ${lines[line - 1]}`);
      // what the editor will hold
      lines[line - 1] = lines[line - 1].replace('"Defualt"', '"Default"');
      writeFileSync(join(shadow, GW2), lines.join("\n"));
      const want = report(bin, shadow);
      assert.ok(!want.diagnostics.some((x) => x.fingerprint === d.fingerprint));
      assert.ok(want.summary.errors < initial.summary.errors);

      await quickOpen(page, GW2);
      await goTo(page, line, column);
      for (let i = 0; i < "Defualt".length; i++) await chord(page, "Shift+ArrowRight");
      await page.keyboard.type("Default");
      await until("the edited line in the editor", async () =>
        (await texts(page, ".monaco-editor .view-line")).some((t) => t.includes(lines[line - 1])),
      );
      await expectShown(cs, ws, want, "scenario 2");
      const shown = await problems(page, ws);
      assert.ok(!shown.some((p) => p.includes("Defualt")), "the label's finding is gone");
      // not saved: the tab is dirty and the file on disk still has the typo
      const dirty = await page.$eval(".tabs-container .tab.active", (e) => e.classList.contains("dirty"));
      assert.ok(dirty, "the editor is dirty (unsaved)");
      assert.equal(readFileSync(join(ws, GW2), "utf8"), readFileSync(join(REPO, FIXTURE, GW2), "utf8"), "the file on disk is unchanged");
    });
  });

  test("3: a quick fix (Ctrl+.) removes its finding", async () => {
    await withScreenshot(cs, "3", async () => {
      const page = cs.page;
      const before = report(bin, shadow);
      // a finding with a fix that touches only its own file and makes the finding go
      let pick;
      let want;
      for (const d of before.diagnostics) {
        if (!d.fix || d.rel === GW2 || !d.fix.edits.every((e) => e.file.replace(/^\.\//, "") === d.rel)) continue;
        const trial = join(cs.dir, "trial");
        cpSync(shadow, trial, { recursive: true });
        applyFix(trial, d.fix);
        const r = report(bin, trial);
        if (!r.diagnostics.some((x) => x.fingerprint === d.fingerprint || (x.rel === d.rel && x.message === d.message))) {
          pick = d;
          want = r;
          applyFix(shadow, d.fix);
          break;
        }
      }
      assert.ok(pick, "a finding with a fix that makes it go");
      console.log(`# scenario 3: ${pick.rule} in ${pick.rel}: "${pick.fix.title}"`);

      await quickOpen(page, pick.rel);
      const { start, end } = pick.range;
      await goTo(page, start.line, start.line === end.line && end.column - start.column > 2 ? start.column + 1 : start.column);
      await quickFix(page, pick.fix.title);
      await expectShown(cs, ws, want, "scenario 3");
      const shown = await problems(page, ws);
      assert.ok(!shown.some((p) => p.endsWith(`| ${pick.message}`)), "the fixed finding is gone");
    });
  });

  test("saved, the files equal what the CLI was given and the CLI agrees with the editor", async () => {
    await withScreenshot(cs, "save", async () => {
      const files = readdirSync(shadow, { recursive: true }).filter((f) => f.endsWith(".toml"));
      const same = () => files.filter((rel) => readFileSync(join(ws, rel), "utf8") === readFileSync(join(shadow, rel), "utf8"));
      assert.ok(same().length < files.length, "unsaved edits before saving");
      await command(cs.page, "File: Save All Files");
      await until("the edits on disk, byte for byte what the CLI checked", () => same().length === files.length);
      const r = report(bin, ws);
      assert.deepEqual(expectedProblems(r), expectedProblems(report(bin, shadow)));
      await expectShown(cs, ws, r, "after saving");
    });
  });
});

describe("apimlint.server.path naming a missing binary", () => {
  let cs;
  after(async () => {
    await cs?.stop();
    if (cs?.pid) assert.deepEqual(descendants(cs.pid), [], "processes left behind");
  });

  test("6: one error notification naming the setting, with an Open Settings action that shows it", async () => {
    const missing = "/nonexistent/apimlint-e2e/apimlint";
    cs = new CodeServer("missing", { machineSettings: { "apimlint.server.path": missing } });
    cs.install(VSIX);
    const ws = copyFixture(FIXTURE, join(cs.dir, "ws"));
    await cs.start();
    await withScreenshot(cs, "6", async () => {
      const page = cs.page;
      await cs.open(`?folder=${encodeURIComponent(ws)}`);
      await quickOpen(page, GW2);
      const toasts = () =>
        page.$$eval(".notifications-toasts .notification-toast", (els) =>
          els.map((e) => ({
            text: e.innerText,
            error: !!e.querySelector(".codicon-error"),
            buttons: [...e.querySelectorAll("a.monaco-button")].map((b) => b.innerText),
          })),
        );
      const ours = async () => (await toasts()).filter((t) => t.text.includes("apimlint"));
      await until("the error notification", async () => (await ours()).length > 0);
      // no second one comes (a restart loop or two listeners would show more)
      const shown = await settled("the notifications", ours, { quiet: 5000 });
      assert.equal(shown.length, 1, `one notification: ${JSON.stringify(shown)}`);
      const [n] = shown;
      assert.ok(n.error, "an error");
      assert.ok(n.text.includes("apimlint.server.path"), `names the setting: ${n.text}`);
      assert.ok(n.text.includes(missing), `names the path: ${n.text}`);
      assert.deepEqual(n.buttons, ["Open Settings"]);
      assert.deepEqual(lspServers(cs.pid), [], "no server runs");
      assert.equal((await statusNumbers(page)).errors, 0);
      // the action opens the Settings UI on that setting
      const [button] = await page.$$(".notifications-toasts .notification-toast a.monaco-button");
      await button.click();
      await page.waitForSelector(".settings-editor", { visible: true });
      await until("the Settings UI showing apimlint.server.path", async () =>
        page.$('.settings-editor .setting-item-contents input[aria-label="apimlint.server.path"]'),
      );
      const value = await page.$eval('.settings-editor .setting-item-contents input[aria-label="apimlint.server.path"]', (e) => e.value);
      assert.equal(value, missing, "the setting shown is the one in force");
    });
  });
});

describe("a single deployment.toml opened without a folder", () => {
  let cs;
  after(async () => {
    await cs?.stop();
    if (cs?.pid) assert.deepEqual(descendants(cs.pid), [], "processes left behind");
  });

  test("7: the extension activates and shows the deployment's findings", async () => {
    cs = new CodeServer("no-folder");
    const ext = cs.install(VSIX);
    const bin = join(ext, "server", "apimlint");
    const root = copyFixture(FIXTURE, join(cs.dir, "tree"));
    const file = join(root, GW2);
    const want = report(bin, root);
    await cs.start();
    await withScreenshot(cs, "7", async () => {
      const page = cs.page;
      // code-server's `payload` query: the workbench opens `openFile` in an empty window
      const payload = JSON.stringify([["openFile", `vscode-remote://127.0.0.1:${cs.port}${file}`]]);
      await cs.open(`?payload=${encodeURIComponent(payload)}`);
      await until("the file in an editor", async () => {
        const tab = await page.$eval(".tabs-container .tab.active", (e) => e.getAttribute("aria-label") ?? "").catch(() => "");
        return tab.startsWith("deployment.toml");
      });
      // an empty window: the Explorer has no folder
      if (!(await texts(page, ".part.sidebar")).join("").includes("EXPLORER")) await chord(page, "Control+Shift+KeyE");
      await until("the Explorer saying no folder is open", async () =>
        (await texts(page, ".part.sidebar")).join("").includes("You have not yet opened a folder"),
      );
      assert.ok(!(await page.url()).includes("folder="), "no folder in the URL");
      await expectShown(cs, root, want, "scenario 7");
      const servers = lspServers(cs.pid);
      assert.equal(servers.length, 1);
      assert.equal(servers[0].exe, bin);
    });
  });
});

// A Kubernetes manifest: two ConfigMaps holding nodes' TOML in literal blocks,
// a label typo on the gateway's.
const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cp
data:
  deployment.toml: |
    [server]
    hostname = "cp.r1.example.com"
    server_role = "control-plane"

    [[apim.gateway.environment]]
    name = "Default"
    type = "hybrid"
    service_url = "https://gw.r1.example.com:9443/services/"

    [[apim.gateway.environment]]
    name = "Internal"
    type = "hybrid"
    service_url = "https://gw.r1.example.com:9443/services/"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gw
data:
  deployment.toml: |
    [server]
    hostname = "gw.r1.example.com"
    server_role = "gateway-worker"

    [apim.sync_runtime_artifacts.gateway]
    gateway_labels = ["Default", "Intrenal"]
`;

describe("a folder of Kubernetes manifests only (no deployment.toml)", () => {
  let cs;
  after(async () => {
    await cs?.stop();
    if (cs?.pid) assert.deepEqual(descendants(cs.pid), [], "processes left behind");
  });

  test("8: the manifest's findings equal the CLI's; its quick fix edits the manifest as the CLI's fix does", async () => {
    const FILE = "region-1.yaml";
    cs = new CodeServer("manifests");
    const ext = cs.install(VSIX);
    const bin = join(ext, "server", "apimlint");
    const ws = join(cs.dir, "k8s");
    const shadow = join(cs.dir, "k8s-shadow");
    for (const dir of [ws, shadow]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, FILE), MANIFEST);
    }
    const want = report(bin, ws);
    const d = want.diagnostics.find((x) => x.rule === "gateway-label-unmatched");
    assert.ok(d && d.rel === FILE, `the label's finding, in the manifest: ${JSON.stringify(want.diagnostics)}`);
    assert.equal(d.fix?.title, "Replace with `Internal`");
    // the CLI's fix (edits of the manifest) applied to the shadow: what the editor must hold after the quick fix
    applyFix(shadow, d.fix);
    assert.equal(readFileSync(join(shadow, FILE), "utf8"), MANIFEST.replace("Intrenal", "Internal"));
    const fixed = report(bin, shadow);
    assert.ok(!fixed.diagnostics.some((x) => x.rule === d.rule && x.message === d.message));
    await cs.start();
    await withScreenshot(cs, "8", async () => {
      const page = cs.page;
      await cs.open(`?folder=${encodeURIComponent(ws)}`);
      await quickOpen(page, FILE);
      await expectShown(cs, ws, want, "scenario 8");
      const servers = lspServers(cs.pid);
      assert.equal(servers.length, 1, `one server: ${JSON.stringify(servers)}`);
      assert.equal(servers[0].exe, bin);

      // back in the editor (the Problems panel has the focus)
      await quickOpen(page, FILE);
      await goTo(page, d.range.start.line, d.range.start.column + 1);
      await quickFix(page, d.fix.title);
      await expectShown(cs, ws, fixed, "scenario 8, fixed");
      await command(page, "File: Save All Files");
      await until("the manifest on disk, byte for byte what the CLI's fix gives", () =>
        readFileSync(join(ws, FILE), "utf8") === readFileSync(join(shadow, FILE), "utf8"),
      );
    });
  });
});
