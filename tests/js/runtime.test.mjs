// What functions.js hands to Excel: result shapes checked (rectangular, non-empty), every result
// rows (functions.json declares matrix results), blanks as "", and heavy calls skipped in formula
// value preview (Invocation.isInValuePreview: learn.microsoft.com/office/dev/add-ins/excel/
// custom-functions-formula-value-preview).
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { ErrorCode, excelCall, loadAddin, plain } from "./harness.mjs";

const URL_ = process.env.GPUCREDIT_URL;

/* A server that answers every call of a batch with `result` (to send shapes ours never sends). */
async function answering(result) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const { calls } = JSON.parse(Buffer.concat(chunks));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ results: calls.map(() => result) }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const source = async () => (await fetch(`${URL_}/functions.js`)).text();

test("ragged and empty results become errors with a reason, not a broken spill", async () => {
  const cases = [
    [[[1, 2], [3]], ErrorCode.invalidValue, /not rectangular \(row 1 has 2 cells, row 2 has 1\)/],
    [[], ErrorCode.notAvailable, /empty/],
    [[[]], ErrorCode.notAvailable, /empty/],
  ];
  for (const [result, code, pattern] of cases) {
    const fake = await answering(result);
    try {
      const { fns } = await loadAddin(fake.url, { source: await source(), settings: { baseUrl: fake.url } });
      await assert.rejects(excelCall(fns, "RENT_CURVE", 2, 3, null, null, null, null, null), (error) => {
        assert.equal(error.code, code);
        assert.match(error.message, pattern);
        return true;
      });
    } finally {
      await fake.close();
    }
  }
});

test("one-value results come back as a 1x1 matrix; blanks in a spill are \"\"", async () => {
  const { fns } = await loadAddin(URL_);
  // IMPLIED_DECLINE(2, 1.5, 2): average of 2 and 2(1-d) is 1.5, so d = 0.5.
  const declined = await excelCall(fns, "IMPLIED_DECLINE", 2, 1.5, 2);
  assert.equal(declined.length, 1);
  assert.equal(declined[0].length, 1);
  assert.ok(Math.abs(declined[0][0] - 0.5) < 1e-9);
  const dscr = await excelCall(fns, "DSCR", [[1.3], [""]], [[1.0], [""]]);
  assert.deepEqual(plain(dscr), [[1.3], [""]]);
});

test("formula value preview: JOINT_STRESS and DEAL_SCHEDULE are not computed; cheap calls are", async () => {
  const { fns, requests, api } = await loadAddin(URL_);
  const preview = { address: "Sheet1!A1", isInValuePreview: true };
  const table = [["tenor_years", 3]];
  for (const id of ["JOINT_STRESS", "DEAL_SCHEDULE"]) {
    const shown = await fns.get(id)(table, preview);
    assert.match(shown[0][0], new RegExp(`^GPU\\.${id}: computed when the formula is entered`));
  }
  assert.deepEqual(requests, []); // nothing went to the server
  assert.equal(api.stats.previewsSkipped, 2);
  // LTV = debt / value is cheap: previewed as usual.
  assert.deepEqual(plain(await fns.get("LTV")(1, 4, preview)), [[0.25]]);
  assert.deepEqual(requests, [1]);
  // Entered (not a preview): the deal is computed, 36 monthly rows for a 3-year tenor.
  const entered = await fns.get("DEAL_SCHEDULE")(table, null, { address: "Sheet1!A1", isInValuePreview: false });
  assert.equal(entered.length, 36);
});
