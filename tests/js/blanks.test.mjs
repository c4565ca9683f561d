// Blank cells, against the real server: the three spellings of a blank (Excel on the web's null,
// "" inside ranges, and Windows desktop's 0 for a blank cell, office-js #4702, #5262, #1951) give
// the same answer. A 0 is told from a blank through Invocation.parameterAddresses and the cells'
// Range.valueTypes, read with a stub of the Excel JavaScript API that answers as Microsoft
// documents it ("Empty" for a blank cell, "Double" for a number).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, loadAddin, plain } from "./harness.mjs";

const URL_ = process.env.GPUCREDIT_URL;

/* A stub of Excel.run over a fake workbook: {"Sheet1!B2": [["Empty"]], ...}. */
function fakeExcel(sheets) {
  const runs = [];
  return {
    runs,
    run: async (batch) => {
      const asked = [];
      const context = {
        workbook: {
          worksheets: {
            getItem: (sheet) => ({
              getRange: (address) => {
                const range = { key: `${sheet}!${address}`, load: () => {} };
                asked.push(range);
                return range;
              },
            }),
          },
        },
        sync: async () => {
          for (const range of asked) {
            if (!(range.key in sheets)) throw new Error(`no range ${range.key}`);
            range.valueTypes = sheets[range.key];
          }
        },
      };
      runs.push(asked);
      return batch(context);
    },
  };
}

/* Call as Excel does, with the invocation's parameter addresses ("" for a typed value). */
function call(fns, id, args, parameterAddresses) {
  return fns.get(id)(...args, { address: "Sheet1!Z1", parameterAddresses });
}

const close = (a, b) => Math.abs(a - b) < 1e-12;

test("HAZARD_RATE(0.01, <blank>) uses the 0.35 default in every spelling of a blank", async () => {
  const excel = fakeExcel({ "Sheet1!B2": [["Empty"]], "Sheet1!B3": [["Double"]] });
  const { fns } = await loadAddin(URL_, { excel });
  // Credit triangle: hazard = spread / (1 - recovery); 0.01 / 0.65 = 0.0153846...
  const expected = 0.01 / (1 - 0.35);
  const blanks = [
    [null, ""], // omitted, or a blank on the web
    ["", "Sheet1!B2"], // "" (a range's blank, or a cell holding ="")
    [[[""]], "Sheet1!B2"],
    [[[null]], "Sheet1!B2"],
    [0, "Sheet1!B2"], // Windows desktop: the blank cell B2 arrives as 0
    [[[0]], "Sheet1!B2"],
  ];
  for (const [recovery, address] of blanks) {
    const [[value]] = await call(fns, "HAZARD_RATE", [0.01, recovery], ["Sheet1!A2", address]);
    assert.ok(close(value, expected), `${JSON.stringify(recovery)} gave ${value}`);
  }
  // A real 0 (the cell B3 holds 0, or 0 typed into the formula) is a recovery of 0.
  for (const address of ["Sheet1!B3", ""]) {
    const [[value]] = await call(fns, "HAZARD_RATE", [0.01, 0], ["Sheet1!A2", address]);
    assert.ok(close(value, 0.01), `${address}: ${value}`);
  }
});

test("a blank assumption value in DEAL_SCHEDULE is omitted (the default), in every spelling", async () => {
  const excel = fakeExcel({ "Sheet1!A1:B2": [["String", "Double"], ["String", "Empty"]] });
  const { fns } = await loadAddin(URL_, { excel });
  const addresses = ["Sheet1!A1:B2", ""];
  const omitted = await call(fns, "DEAL_SCHEDULE", [[["tenor_years", 3]], false], addresses);
  for (const blank of [null, "", 0]) {
    const table = [["tenor_years", 3], ["gpus", blank]];
    const got = await call(fns, "DEAL_SCHEDULE", [table, false], addresses);
    assert.deepEqual(plain(got), plain(omitted), `gpus = ${JSON.stringify(blank)}`);
  }
  // 36 monthly rows for a 3-year tenor (the schedule runs over the tenor by default).
  assert.equal(omitted.length, 36);
  // A real 0 is 0 GPUs: a different deal, not the default one.
  const zeroExcel = fakeExcel({ "Sheet1!A1:B2": [["String", "Double"], ["String", "Double"]] });
  const zero = await loadAddin(URL_, { excel: zeroExcel });
  const none = await call(zero.fns, "DEAL_SCHEDULE", [[["tenor_years", 3], ["gpus", 0]], false], addresses);
  assert.notDeepEqual(plain(none), plain(omitted));
});

test("a blank debt service gives a blank DSCR cell; a real 0 is #DIV/0! with its reason", async () => {
  const excel = fakeExcel({ "Sheet1!C2:C4": [["Double"], ["Empty"], ["Double"]] });
  const { fns } = await loadAddin(URL_, { excel });
  const addresses = ["Sheet1!B2:B4", "Sheet1!C2:C4"];
  const cfads = [[1.3], [0.9], [2.0]];
  for (const blank of [null, "", 0]) {
    const dscr = await call(fns, "DSCR", [cfads, [[1.0], [blank], [0.0]]], addresses);
    assert.equal(dscr[0][0], 1.3); // DSCR = cfads / debt service
    assert.equal(dscr[1][0], "", `debt service ${JSON.stringify(blank)}`); // blank in, blank out
    // C4 holds a real 0: never silent, the reason names the zero denominator.
    assert.equal(dscr[2][0].code, ErrorCode.invalidValue);
    assert.match(dscr[2][0].message, /^#DIV\/0!: debt_service is zero/);
    assert.doesNotMatch(dscr[2][0].message, /blank cell/); // Excel said C4 holds a number
  }
});

test("blank gen_periods cells are no generation releases, not #NUM!", async () => {
  const excel = fakeExcel({ "Sheet1!E2:E3": [["Empty"], ["Empty"]] });
  const { fns, api } = await loadAddin(URL_, { excel });
  const addresses = ["Sheet1!A1", "Sheet1!A2", "", "", "Sheet1!E2:E3", "", ""];
  for (const blank of [null, "", 0]) {
    // RENT_CURVE(2, 3, , , gen_periods): 2*(1-0.28)^((t-1)/12) with no generation steps.
    const rents = await call(fns, "RENT_CURVE", [2, 3, null, null, [[blank], [blank]], null, null], addresses);
    assert.equal(rents.length, 3);
    rents.forEach(([rent], t) => assert.ok(close(rent, 2 * 0.72 ** (t / 12)), `${JSON.stringify(blank)}: ${rent}`));
  }
  assert.equal(api.stats.blankChecks, 1); // only the call with 0s asked Excel
});

test("one Excel.run per recalculation, only for arguments holding a 0 from the sheet", async () => {
  const excel = fakeExcel({ "Sheet1!B2": [["Empty"]], "Sheet1!B3": [["Empty"]] });
  const { fns } = await loadAddin(URL_, { excel });
  await Promise.all([
    call(fns, "HAZARD_RATE", [0.01, 0], ["Sheet1!A2", "Sheet1!B2"]),
    call(fns, "HAZARD_RATE", [0.02, 0], ["Sheet1!A3", "Sheet1!B3"]),
    call(fns, "HAZARD_RATE", [0.03, 0.4], ["Sheet1!A4", "Sheet1!B4"]), // no 0: not asked
  ]);
  assert.equal(excel.runs.length, 1);
  assert.deepEqual(excel.runs[0].map((r) => r.key), ["Sheet1!B2", "Sheet1!B3"]);
});

test("sheet names with spaces and quotes are read from the right sheet", async () => {
  const excel = fakeExcel({ "Q1 'deal'!B2": [["Empty"]] });
  const { fns } = await loadAddin(URL_, { excel });
  const [[value]] = await call(fns, "HAZARD_RATE", [0.01, 0], ["'Q1 ''deal'''!A2", "'Q1 ''deal'''!B2"]);
  assert.ok(close(value, 0.01 / 0.65));
});

test("where Excel cannot say (no Excel API, or it fails or stalls), a 0 stays 0 and the call settles", async () => {
  const stalled = { run: () => new Promise(() => {}) };
  const failing = { run: async () => { throw new Error("InvalidOperation"); } };
  for (const excel of [undefined, failing, stalled]) {
    const { fns, api } = await loadAddin(URL_, { excel, settings: { blankCheckMs: 200 } });
    const [[value]] = await call(fns, "HAZARD_RATE", [0.01, 0], ["Sheet1!A2", "Sheet1!B2"]);
    assert.ok(close(value, 0.01)); // recovery 0: the documented desktop caveat (README)
    assert.equal(api.stats.blankChecksSkipped, 1);
    // Not silent: an error from such a call says what to do.
    await assert.rejects(call(fns, "DSCR", [1.3, 0], ["Sheet1!B2", "Sheet1!C2"]), (error) => {
      assert.match(error.message, /^#DIV\/0!: debt_service is zero \(if a 0 here is a blank cell.*put ="" in it\)$/);
      return true;
    });
  }
});
