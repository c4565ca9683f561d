// The served functions.js in Node against the real gpucredit server, with the Office runtime's
// CustomFunctions object stubbed (associate, Error, ErrorCode as Microsoft documents them).
// Started by tests/excel/test_addin_js.py, which passes the servers' URLs in the environment:
//   GPUCREDIT_URL        a server without a token
//   GPUCREDIT_TOKEN_URL  a server that requires GPUCREDIT_TOKEN
//   GPUCREDIT_DEAD_URL   an address where nothing listens
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { OfficeAddinManifest } from "office-addin-manifest";
import { CFError, ErrorCode, excelCall, loadAddin, plain } from "./harness.mjs";

const URL_ = process.env.GPUCREDIT_URL;
const TOKEN_URL = process.env.GPUCREDIT_TOKEN_URL;
const DEAD_URL = process.env.GPUCREDIT_DEAD_URL;
const TOKEN = process.env.GPUCREDIT_TOKEN;

test("every function in functions.json is registered with CustomFunctions.associate", async () => {
  const metadata = await (await fetch(`${URL_}/functions.json`)).json();
  const { fns, api } = await loadAddin(URL_);
  assert.equal(api.registered, true);
  assert.deepEqual([...fns.keys()].sort(), metadata.functions.map((f) => f.id).sort());
  assert.ok(fns.size >= 34);
});

test("calls made in one tick go out as one request and come back in order", async () => {
  const { fns, requests } = await loadAddin(URL_);
  const spreads = Array.from({ length: 200 }, (_, i) => 0.001 * (i + 1));
  // HAZARD_RATE(spread, [recovery=0.35]) = spread/(1-recovery); recovery omitted is null.
  const results = await Promise.all(spreads.map((s) => excelCall(fns, "HAZARD_RATE", s, null)));
  assert.deepEqual(requests, [200]);
  // HAZARD_RATE is element-wise: a single cell in gives a 1x1 matrix out.
  results.forEach((value, i) => assert.ok(Math.abs(value[0][0] - spreads[i] / 0.65) < 1e-12));
});

test("a big recalculation is split into requests of maxCallsPerRequest", async () => {
  const { fns, requests } = await loadAddin(URL_, { settings: { maxCallsPerRequest: 40 } });
  const debts = Array.from({ length: 100 }, (_, i) => i + 1);
  const results = await Promise.all(debts.map((d) => excelCall(fns, "LTV", d, 200)));
  assert.deepEqual(requests, [40, 40, 20]);
  assert.deepEqual(plain(results), debts.map((d) => [[d / 200]])); // LTV = debt/value
});

test("calls in separate recalculations are separate requests", async () => {
  const { fns, requests } = await loadAddin(URL_);
  assert.deepEqual(plain(await excelCall(fns, "LTV", 30, 60)), [[0.5]]);
  assert.deepEqual(plain(await excelCall(fns, "LTV", 45, 60)), [[0.75]]);
  assert.deepEqual(requests, [1, 1]);
});

test("matrix results spill; errors inside them carry their reason; blanks show empty", async () => {
  const { fns } = await loadAddin(URL_);
  // Office.js hands ranges over as rows; a blank cell is "".
  const dscr = await excelCall(fns, "DSCR", [[1.3], [0.9], [2.0]], [[1.0], [0.0], [""]]);
  assert.equal(dscr.length, 3);
  assert.deepEqual(plain(dscr[0]), [1.3]);
  assert.ok(dscr[1][0] instanceof CFError);
  // #DIV/0! cannot carry a message in Excel: shown as #VALUE! with "#DIV/0!: reason".
  assert.equal(dscr[1][0].code, ErrorCode.invalidValue);
  assert.match(dscr[1][0].message, /^#DIV\/0!: debt_service/);
  assert.equal(dscr[2][0], ""); // a blank input cell gives a blank output cell

  // RENT_CURVE(2, 3): 2*(1-0.28)^((t-1)/12), t = 1..3, one row each.
  const rents = await excelCall(fns, "RENT_CURVE", 2, 3, null, null, null, null, null);
  assert.equal(rents.length, 3);
  rents.forEach(([rent], t) => assert.ok(Math.abs(rent - 2 * 0.72 ** (t / 12)) < 1e-12));

  // An element-wise function on single cells still returns a 1x1 matrix.
  assert.deepEqual(plain(await excelCall(fns, "LTV", 50, 100)), [[0.5]]);
});

test("omitted trailing arguments and the invocation object are told apart", async () => {
  const { fns } = await loadAddin(URL_);
  // HAZARD_RATE(0.013) with recovery left out entirely: 0.013/(1-0.35).
  const full = await excelCall(fns, "HAZARD_RATE", 0.013, null);
  const short = await fns.get("HAZARD_RATE")(0.013, { address: "Sheet1!B2" });
  // An element-wise function returns a 1x1 matrix for single cells.
  assert.ok(Math.abs(full[0][0] - 0.013 / 0.65) < 1e-12);
  assert.deepEqual(plain(short), plain(full));
});

test("a whole-cell error rejects with CustomFunctions.Error and the reason", async () => {
  const { fns } = await loadAddin(URL_);
  await assert.rejects(excelCall(fns, "LGD", "lots", 1, null, null), (error) => {
    assert.ok(error instanceof CFError);
    assert.equal(error.code, ErrorCode.invalidValue);
    assert.match(error.message, /ead/);
    return true;
  });
  // BREACH_PERIOD of a path that never breaches is #N/A ("nothing found").
  await assert.rejects(excelCall(fns, "BREACH_PERIOD", [[1.5], [1.4]], null), (error) => {
    assert.equal(error.code, ErrorCode.notAvailable);
    return true;
  });
});

test("one bad call does not spoil the others in its batch", async () => {
  const { fns, requests } = await loadAddin(URL_);
  const settled = await Promise.allSettled([
    excelCall(fns, "LTV", 1, 4),
    excelCall(fns, "LGD", "x", 1, null, null),
    excelCall(fns, "LTV", 3, 4),
  ]);
  assert.deepEqual(requests, [3]);
  assert.deepEqual(plain(settled[0].value), [[0.25]]);
  assert.equal(settled[1].status, "rejected");
  assert.deepEqual(plain(settled[2].value), [[0.75]]);
});

test("an error value passed in comes back as that error", async () => {
  const { fns } = await loadAddin(URL_);
  const input = new CFError(ErrorCode.notAvailable, "no price");
  await assert.rejects(excelCall(fns, "CUMULATIVE_PD", input, 5), (error) => {
    assert.equal(error.code, ErrorCode.notAvailable);
    return true;
  });
});

test("a server that needs a token: #N/A saying so, then values once the token is set", async () => {
  const without = await loadAddin(TOKEN_URL);
  await assert.rejects(excelCall(without.fns, "LTV", 1, 2), (error) => {
    assert.equal(error.code, ErrorCode.notAvailable);
    assert.match(error.message, /token/);
    return true;
  });
  const withToken = await loadAddin(TOKEN_URL, { token: TOKEN });
  assert.deepEqual(plain(await excelCall(withToken.fns, "LTV", 1, 2)), [[0.5]]);
});

test("no server: every call is #N/A with a reason, nothing hangs", async () => {
  const { fns } = await loadAddin(URL_, { settings: { baseUrl: DEAD_URL } });
  const settled = await Promise.allSettled([excelCall(fns, "LTV", 1, 2), excelCall(fns, "LTV", 2, 3)]);
  for (const outcome of settled) {
    assert.equal(outcome.status, "rejected");
    assert.equal(outcome.reason.code, ErrorCode.notAvailable);
    assert.match(outcome.reason.message, /not reachable/);
  }
});

test("Microsoft's office-addin-manifest reads the served manifest", async () => {
  const xml = await (await fetch(`${URL_}/manifest.xml`)).text();
  const dir = await mkdtemp(path.join(tmpdir(), "gpucredit-manifest-"));
  const file = path.join(dir, "manifest.xml");
  await writeFile(file, xml);
  const info = await OfficeAddinManifest.readManifestFile(file);
  assert.equal(info.manifestType, "xml");
  assert.equal(info.officeAppType, "TaskPaneApp");
  assert.equal(info.displayName, "gpucredit");
  assert.match(info.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(info.version, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(info.hosts, ["Workbook"]);
  assert.equal(info.defaultSettings.sourceLocation, `${URL_}/taskpane.html`);
  assert.equal(info.iconUrl, `${URL_}/assets/icon-32.png`);
  assert.deepEqual(info.appDomains, [URL_]);
});
