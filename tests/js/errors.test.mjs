// The error mapping, for every error code the server can send (GPUCREDIT_ERROR_CODES, read by
// tests/excel/test_addin_js.py from pyfuncs.errors), against the real server.
// Expected faces are written out from Microsoft's documentation, not from functions.js:
// "Handle and return errors from your custom function" and the CustomFunctions.ErrorCode
// reference (learn.microsoft.com): a custom message shows only with #VALUE! and #N/A; #NAME? and
// #REF! are supported as inputs but not as outputs; #SPILL! and #CALC! have no ErrorCode member.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CFError, ErrorCode, excelCall, loadAddin } from "./harness.mjs";

const URL_ = process.env.GPUCREDIT_URL;
const CODES = JSON.parse(process.env.GPUCREDIT_ERROR_CODES);

/* What Excel must show for an error `code` with reason `why`: [face, message or null]. */
const EXPECTED = {
  reason: {
    "#VALUE!": (why) => ["#VALUE!", why],
    "#N/A": (why) => ["#N/A", why],
    "#NUM!": (why) => ["#VALUE!", `#NUM!: ${why}`],
    "#DIV/0!": (why) => ["#VALUE!", `#DIV/0!: ${why}`],
    "#NULL!": (why) => ["#VALUE!", `#NULL!: ${why}`],
    "#NAME?": (why) => ["#VALUE!", `#NAME?: ${why}`],
    "#REF!": (why) => ["#VALUE!", `#REF!: ${why}`],
    "#SPILL!": (why) => ["#VALUE!", `#SPILL!: ${why}`],
    "#CALC!": (why) => ["#VALUE!", `#CALC!: ${why}`],
  },
  excel: {
    "#VALUE!": (why) => ["#VALUE!", why],
    "#N/A": (why) => ["#N/A", why],
    "#NUM!": () => ["#NUM!", ""],
    "#DIV/0!": () => ["#DIV/0!", ""],
    "#NULL!": () => ["#NULL!", ""],
    "#NAME?": (why) => ["#VALUE!", `#NAME?: ${why}`],
    "#REF!": (why) => ["#VALUE!", `#REF!: ${why}`],
    "#SPILL!": (why) => ["#VALUE!", `#SPILL!: ${why}`],
    "#CALC!": (why) => ["#VALUE!", `#CALC!: ${why}`],
  },
};

/* An input error as Excel passes it: a CustomFunctions.Error where Office.js has a member. */
function inputError(code, why) {
  const member = Object.keys(ErrorCode).find((m) => ErrorCode[m] === code);
  return member ? new CFError(ErrorCode[member], why) : code; // "#SPILL!" as the cell's text
}

test("the table covers every code the server sends", () => {
  assert.deepEqual(Object.keys(EXPECTED.reason).sort(), [...CODES].sort());
  assert.deepEqual(Object.keys(EXPECTED.excel).sort(), [...CODES].sort());
});

for (const faces of ["reason", "excel"]) {
  test(`errorFaces "${faces}": every code passed through the server shows as documented`, async () => {
    const { fns, api } = await loadAddin(URL_, { settings: { errorFaces: faces } });
    for (const code of CODES) {
      const why = `input says ${code}`;
      // CUMULATIVE_PD(hazard, years): an error in hazard comes back as that error.
      const outcome = await Promise.allSettled([
        fns.get("CUMULATIVE_PD")(inputError(code, why), 5, { address: "Sheet1!C3" }),
      ]);
      assert.equal(outcome[0].status, "rejected", code);
      const error = outcome[0].reason;
      const sentReason = typeof inputError(code, why) === "string" ? "error value in the input" : why;
      const [face, message] = EXPECTED[faces][code](sentReason);
      assert.ok(error instanceof CFError, code);
      assert.equal(error.code, face, code);
      assert.equal(error.message, message, code);
      assert.ok(![ErrorCode.invalidName, ErrorCode.invalidReference].includes(error.code));
      // The task pane's error log keeps the original code and reason, whatever the face.
      const logged = api.errorLog[api.errorLog.length - 1];
      assert.equal(logged.code, code);
      assert.equal(logged.shown, face);
      assert.equal(logged.reason, sentReason);
      assert.equal(logged.cell, "Sheet1!C3");
      assert.equal(logged.function, "GPU.CUMULATIVE_PD");
    }
  });
}

test("errors the server computes: #NUM!, #DIV/0! in a spill, #NAME? for an unknown function", async () => {
  const { fns, api } = await loadAddin(URL_);
  // CUMULATIVE_PD with a negative hazard is out of domain.
  await assert.rejects(excelCall(fns, "CUMULATIVE_PD", -0.1, 5), (error) => {
    assert.equal(error.code, ErrorCode.invalidValue);
    assert.match(error.message, /^#NUM!: hazard must be at least 0/);
    return true;
  });
  // DSCR = cfads / debt_service: zero debt service inside a spilled column.
  const dscr = await excelCall(fns, "DSCR", [[1.3], [0.9]], [[1.0], [0.0]]);
  assert.equal(dscr[1][0].code, ErrorCode.invalidValue);
  assert.match(dscr[1][0].message, /^#DIV\/0!: debt_service is zero/);
  // A function the server does not know: #NAME? cannot be returned, so #VALUE! saying so.
  await assert.rejects(api.invoke("NOT_A_FUNCTION", []), (error) => {
    assert.equal(error.code, ErrorCode.invalidValue);
    assert.match(error.message, /^#NAME\?: unknown function/);
    return true;
  });
});

test("the error log is bounded and tells listeners (the task pane)", async () => {
  const { fns, api } = await loadAddin(URL_, { settings: { errorLogSize: 3 } });
  const seen = [];
  api.onError((entry) => seen.push(entry.code));
  await Promise.allSettled([1, 2, 3, 4, 5].map(() => excelCall(fns, "CUMULATIVE_PD", -0.1, 5)));
  assert.equal(api.errorLog.length, 3);
  assert.deepEqual(seen, ["#NUM!", "#NUM!", "#NUM!", "#NUM!", "#NUM!"]);
});
