/*
 * gpucredit custom functions for Excel (Office.js, shared runtime): =GPU.DSCR(...) and the rest.
 *
 * Written for gpucredit from Microsoft's documentation ("Manually create JSON metadata for custom
 * functions", "Batch custom function calls for a remote service", "Handle and return errors from
 * your custom function", "Custom functions parameter options"). Served by `gpucredit serve`,
 * which fills in CONFIG below from the registry (function ids and their parameter counts) and
 * from its own address, so a function added to the registry is registered here too.
 *
 * - Every id in CONFIG.functions is registered with CustomFunctions.associate.
 * - All calls Excel makes within one recalculation are queued and sent as one POST to
 *   /api/v1/call, split into requests of at most maxCallsPerRequest calls and 90% of the
 *   server's body limit in bytes (at most maxInFlight requests at a time); results come back in
 *   the same order. A 413 splits a request in halves down to single calls.
 * - Every call settles within timeoutMs: the wait for a request slot, the request and reading
 *   its answer share one deadline (AbortController). A request that failed on the way
 *   (connection refused or closed, 429, 502-504) is sent again up to `retries` times: the calls
 *   are pure, so the POST is idempotent. An answer that is not JSON, a stall or a lost
 *   connection becomes #N/A with the reason.
 * - An error result {"error": "#NUM!", "reason": "..."} becomes a CustomFunctions.Error carrying
 *   the reason, for a whole cell or for one cell inside a spilled array. Blanks display empty.
 */
(function (root) {
  "use strict";

  /* Filled in by the server; null in the file as committed. */
  const CONFIG = /*@GPUCREDIT_CONFIG@*/ null;

  const DEFAULTS = {
    baseUrl: "",
    namespace: "GPU",
    batchDelayMs: 5, // collect calls for this long; one recalculation arrives within it
    maxCallsPerRequest: 1000, // and at most the server's max_calls (settings.server.maxCalls)
    maxBodyBytes: null, // null: 90% of the server's body limit (settings.server.maxBodyBytes)
    maxInFlight: 4, // requests at once, so a big sheet cannot flood the server
    timeoutMs: 30000, // every call settles within this long after its recalculation is sent
    retries: 2, // more tries of a request that failed on the way (connection lost, 502-504)
    retryDelayMs: 250, // before the first retry; doubles for each further one
    server: {}, // the server's limits {maxBodyBytes, maxCalls}, filled in by the server
    errorFaces: "reason", // "reason": #VALUE! "#NUM!: why"; "excel": keep #NUM!/#DIV/0!/#NULL!
    errorLogSize: 200, // errors kept for the task pane's error log
    blankCheckMs: 3000, // longest wait for Excel to say which 0s are blank cells
    tokenStorageKey: "gpucredit.token",
  };
  const settings = Object.assign({}, DEFAULTS, CONFIG && CONFIG.settings, root.GPUCREDIT_SETTINGS);
  const functions = (CONFIG && CONFIG.functions) || {};

  /* Excel error literal -> CustomFunctions.ErrorCode member (CustomFunctionsRuntime 1.3). */
  const ERROR_CODES = {
    "#VALUE!": "invalidValue",
    "#NUM!": "invalidNumber",
    "#DIV/0!": "divisionByZero",
    "#N/A": "notAvailable",
    "#NAME?": "invalidName",
    "#NULL!": "nullReference",
    "#REF!": "invalidReference",
  };

  /* How an error is shown: Excel shows a custom message only with #VALUE! and #N/A, and takes
     #NAME? and #REF! as inputs but not as outputs (learn.microsoft.com/office/dev/add-ins/excel/
     custom-functions-errors; CustomFunctions.ErrorCode). So:
     - #VALUE! and #N/A are shown as they are, with the reason as the message;
     - with settings.errorFaces "reason" (the default) every other error is #VALUE! with
       "#NUM!: reason" as the message, so the reason is one hover away;
     - with errorFaces "excel", #NUM!, #DIV/0! and #NULL! keep their face (ISERR, ERROR.TYPE
       and IFERROR see what a built-in would give) and the reason is only in the task pane's
       error log; #NAME?, #REF!, #SPILL!, #CALC! still become #VALUE! with the face in the message.
     Every error also goes to the error log (newest last, at most settings.errorLogSize). */
  const MESSAGE_FACES = new Set(["#VALUE!", "#N/A"]);
  const NATIVE_FACES = new Set(["#NUM!", "#DIV/0!", "#NULL!"]);

  function faceOf(code) {
    if (MESSAGE_FACES.has(code)) return { face: code, message: true };
    if (settings.errorFaces === "excel" && NATIVE_FACES.has(code)) return { face: code, message: false };
    return { face: "#VALUE!", message: true, prefix: true };
  }

  const stats = {
    requests: 0,
    calls: 0,
    retries: 0,
    timeouts: 0,
    splits: 0,
    blankChecks: 0,
    blankChecksSkipped: 0,
    previewsSkipped: 0,
  };
  let queue = [];
  let timer = null;
  let inFlight = 0;
  const waiting = [];

  function customFunctions() {
    return root.CustomFunctions;
  }

  const errorLog = [];
  const errorListeners = [];

  function logError(entry) {
    errorLog.push(entry);
    while (errorLog.length > settings.errorLogSize) errorLog.shift();
    for (const listener of errorListeners) {
      try {
        listener(entry);
      } catch (e) {
        /* a pane that went away must not break a calculation */
      }
    }
  }

  /* A CustomFunctions.Error for an Excel error literal and its reason (shown per faceOf). */
  /* Said when a call's 0s could not be told from blank cells and its answer is an error. */
  const ZERO_HINT = ' (if a 0 here is a blank cell: this Excel passes blanks as 0, so put ="" in it)';

  function excelError(code, reason, call) {
    const cf = customFunctions();
    const text = (reason || "") + (call && call.zerosUnchecked && code !== "#N/A" ? ZERO_HINT : "");
    const shown = faceOf(code);
    const member = ERROR_CODES[shown.face];
    const errorCode = cf.ErrorCode && cf.ErrorCode[member] !== undefined ? cf.ErrorCode[member] : shown.face;
    logError({
      time: new Date().toISOString(),
      cell: (call && call.address) || "",
      function: (call && call.name) || "",
      code,
      shown: shown.face,
      reason: text,
    });
    if (!shown.message) return new cf.Error(errorCode);
    const message = shown.prefix ? `${code}: ${text}`.replace(/: $/, "") : text;
    return new cf.Error(errorCode, message);
  }

  /* The Excel error literal an input error stands for, or null. */
  function errorCodeOf(value) {
    const cf = customFunctions();
    if (value === null || typeof value !== "object") return null;
    const code = value.code !== undefined ? value.code : value.errorCode;
    if (typeof code === "string" && code.startsWith("#")) return code;
    if (cf && cf.ErrorCode && typeof code === "string") {
      for (const [literal, member] of Object.entries(ERROR_CODES)) {
        if (cf.ErrorCode[member] === code || member === code) return literal;
      }
    }
    return null;
  }

  function cellToWire(value) {
    if (value === undefined || value === null) return null;
    const kind = typeof value;
    if (kind === "number") return Number.isFinite(value) ? value : { error: "#NUM!" };
    if (kind === "string" || kind === "boolean") return value; // "" is a blank cell
    const code = errorCodeOf(value);
    if (code) return { error: code, reason: value.message || "error in the input" };
    return String(value);
  }

  /* An argument as Excel gives it (scalar, null when omitted, rows of cells) in wire form. */
  function argToWire(value) {
    if (Array.isArray(value)) {
      return value.map((row) => (Array.isArray(row) ? row.map(cellToWire) : [cellToWire(row)]));
    }
    return cellToWire(value);
  }

  function cellFromWire(value, call) {
    if (value === null || value === undefined) return ""; // blanks display empty
    if (typeof value === "object" && typeof value.error === "string") {
      return excelError(value.error, value.reason, call);
    }
    return value;
  }

  /* A result in wire form as Excel takes it: always rows (functions.json declares every result a
     matrix, as requiresParameterAddresses needs), checked to be rectangular and non-empty; a
     whole-cell error is thrown. A blank result cell is "" (Excel shows it empty; ISBLANK is
     FALSE, as for a formula giving ""): null would show as 0 (office-js #1503). */
  function resultFromWire(value, call) {
    const cf = customFunctions();
    if (!Array.isArray(value)) {
      const cell = cellFromWire(value, call);
      if (cell instanceof cf.Error) throw cell;
      return [[cell]];
    }
    const rows = value.map((row) => (Array.isArray(row) ? row : [row]));
    if (!rows.length || !rows[0].length) {
      throw excelError("#N/A", "the result is empty (no rows)", call);
    }
    const width = rows[0].length;
    const ragged = rows.findIndex((row) => row.length !== width);
    if (ragged >= 0) {
      const reason = `the server's result is not rectangular (row 1 has ${width} cells, row ${ragged + 1} has ${rows[ragged].length})`;
      throw excelError("#VALUE!", reason, call);
    }
    if (!call.matrix) {
      const single = cellFromWire(rows[0][0], call);
      if (single instanceof cf.Error) throw single;
      return [[single]];
    }
    return rows.map((row) => row.map((v) => cellFromWire(v, call)));
  }

  function token() {
    if (root.GPUCREDIT_TOKEN) return root.GPUCREDIT_TOKEN;
    try {
      return root.localStorage ? root.localStorage.getItem(settings.tokenStorageKey) : null;
    } catch (e) {
      return null; // storage can be blocked; then no token
    }
  }

  /* --- transport: every call settles ----------------------------------------------------------
     A chunk of calls gets one deadline (settings.timeoutMs from when it is flushed). Waiting for
     a request slot, the request, its retries and reading the answer all count against it, so a
     stalled server cannot hold a cell at #BUSY! for longer than the timeout. */

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  function seconds(ms) {
    return `${Math.round(ms / 100) / 10} s`;
  }

  function where() {
    return settings.baseUrl || "this page's server";
  }

  /* Resolves "timeout" once the deadline has passed. */
  function deadlineAt(deadline) {
    let handle = null;
    const promise = new Promise((resolve) => {
      handle = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
    });
    return { promise, cancel: () => clearTimeout(handle) };
  }

  /* A request slot, or false when the deadline passes first (the slot then goes to the next). */
  async function acquireSlot(deadline) {
    if (inFlight < settings.maxInFlight) {
      inFlight += 1;
      return true;
    }
    let granted = false;
    let abandoned = false;
    const turn = new Promise((resolve) =>
      waiting.push(() => {
        if (abandoned) return false;
        granted = true;
        inFlight += 1; // taken here, so no newcomer slips in before this waiter resumes
        resolve("slot");
        return true;
      }),
    );
    const timer = deadlineAt(deadline);
    await Promise.race([turn, timer.promise]);
    timer.cancel();
    if (granted) return true;
    abandoned = true;
    return false;
  }

  function releaseSlot() {
    inFlight -= 1;
    while (waiting.length) {
      if (waiting.shift()()) return;
    }
  }

  /* Why fetch failed, in words: refused, closed mid-answer, or something else on the way. */
  function networkReason(error) {
    const cause = (error && error.cause) || {};
    const code = cause.code || "";
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH") {
      return `gpucredit server not reachable at ${where()}`;
    }
    if (/SOCKET|RESET|CLOSED|EPIPE|ECONNRESET/i.test(code) || /closed|reset|socket/i.test(cause.message || "")) {
      return `the gpucredit server at ${where()} closed the connection before it answered`;
    }
    return `gpucredit server not reachable at ${where()} (or it closed the connection)`;
  }

  /* One POST of the body; resolves to {kind, ...}, never rejects, never outlives the deadline. */
  async function attempt(body, deadline) {
    const headers = { "Content-Type": "application/json" };
    const bearer = token();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const Controller = root.AbortController;
    const controller = typeof Controller === "function" ? new Controller() : null;
    const timer = deadlineAt(deadline);
    const exchange = (async () => {
      let response;
      try {
        response = await fetch(`${settings.baseUrl}/api/v1/call`, {
          method: "POST",
          headers,
          body,
          signal: controller ? controller.signal : undefined,
        });
      } catch (error) {
        return { kind: "network", reason: networkReason(error) };
      }
      let text;
      try {
        text = await response.text();
      } catch (error) {
        return { kind: "network", reason: networkReason(error) };
      }
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        parsed = undefined;
      }
      const type = (response.headers && response.headers.get("content-type")) || "no content type";
      return { kind: "answer", status: response.status, ok: response.ok, body: parsed, type };
    })();
    const outcome = await Promise.race([exchange, timer.promise]);
    timer.cancel();
    if (outcome === "timeout") {
      if (controller) controller.abort();
      exchange.catch(() => {}); // settles later with the abort; nobody waits for it
      stats.timeouts += 1;
      return { kind: "timeout" };
    }
    return outcome;
  }

  /* HTTP statuses worth one more try: the server or a proxy in front of it was briefly busy. */
  const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);

  function settleAll(chunk, code, reason) {
    chunk.forEach((c) => c.reject(excelError(code, reason, c)));
  }

  function settleResults(chunk, results) {
    chunk.forEach((c, i) => {
      if (i >= results.length) {
        c.reject(excelError("#N/A", "the gpucredit server sent too few results", c));
        return;
      }
      try {
        c.resolve(resultFromWire(results[i], c));
      } catch (error) {
        c.reject(error);
      }
    });
  }

  /* Send one chunk (its calls already in wire form) and settle each call's promise.
     Pure calls are idempotent, so a POST that failed on the way is sent again, at most
     settings.retries times, while the deadline allows. A 413 splits the chunk in halves, down to
     single calls, so calls that fit are answered even when the limits were not known. */
  async function send(chunk, deadline) {
    if (!(await acquireSlot(deadline))) {
      stats.timeouts += 1;
      const reason = `the gpucredit server is busy: no answer within ${seconds(settings.timeoutMs)}`;
      settleAll(chunk, "#N/A", reason);
      return;
    }
    let split = null;
    try {
      stats.requests += 1;
      stats.calls += chunk.length;
      const body = `{"calls":[${chunk.map((c) => c.wire).join(",")}]}`;
      for (let tries = 0; ; tries += 1) {
        const outcome = await attempt(body, deadline);
        let code = "#N/A";
        let reason;
        let transient = false;
        if (outcome.kind === "timeout") {
          reason = `the gpucredit server did not answer within ${seconds(settings.timeoutMs)} (${where()})`;
        } else if (outcome.kind === "network") {
          reason = outcome.reason;
          transient = true;
        } else if (outcome.status === 413 && chunk.length > 1) {
          stats.splits += 1;
          const half = Math.ceil(chunk.length / 2);
          split = [chunk.slice(0, half), chunk.slice(half)];
          return;
        } else if (!outcome.ok) {
          const body413 = outcome.body && outcome.body.reason;
          reason = body413 || `the gpucredit server answered HTTP ${outcome.status}`;
          if (outcome.status === 401) reason += ": set the server's token in the gpucredit pane";
          if (outcome.status === 413) reason = `this call is too big for the server: ${reason}`;
          code = outcome.status === 401 || outcome.status >= 500 ? "#N/A" : "#VALUE!";
          transient = TRANSIENT_STATUS.has(outcome.status);
        } else if (!outcome.body || !Array.isArray(outcome.body.results)) {
          reason =
            outcome.body === undefined
              ? `the gpucredit server's answer is not JSON (HTTP ${outcome.status}, ${outcome.type}): is another program answering at ${where()}?`
              : "the gpucredit server's answer has no results list";
        } else {
          settleResults(chunk, outcome.body.results);
          return;
        }
        const pause = settings.retryDelayMs * 2 ** tries;
        if (transient && tries < settings.retries && Date.now() + pause < deadline) {
          stats.retries += 1;
          await sleep(pause);
          continue;
        }
        settleAll(chunk, code, reason);
        return;
      }
    } finally {
      releaseSlot();
      if (split) await Promise.all(split.map((part) => send(part, deadline)));
    }
  }

  /* UTF-8 length of a string, as the server counts the body. */
  function utf8Bytes(text) {
    let bytes = text.length;
    for (let i = 0; i < text.length; i += 1) {
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff) {
        bytes += 1; // a surrogate pair: 2 units, 4 bytes
        i += 1;
      } else if (unit >= 0x800) bytes += 2;
      else if (unit >= 0x80) bytes += 1;
    }
    return bytes;
  }

  /* Request limits: the server's (filled in from its settings) with room to spare. */
  function limits() {
    const server = settings.server || {};
    let calls = settings.maxCallsPerRequest;
    if (server.maxCalls) calls = Math.min(calls, server.maxCalls);
    let bytes = settings.maxBodyBytes;
    if (!bytes && server.maxBodyBytes) bytes = Math.floor(server.maxBodyBytes * 0.9);
    return { calls: Math.max(1, calls), bytes: bytes || Infinity, serverBytes: server.maxBodyBytes };
  }

  const ENVELOPE_BYTES = `{"calls":[]}`.length;

  /* Queued calls in chunks of at most limits().calls calls and limits().bytes bytes. */
  function chunksOf(calls) {
    const limit = limits();
    const chunks = [];
    let chunk = [];
    let bytes = ENVELOPE_BYTES;
    for (const c of calls) {
      c.wire = JSON.stringify({ function: c.name, args: c.args });
      const size = utf8Bytes(c.wire) + 1; // and its comma
      if (limit.serverBytes && size + ENVELOPE_BYTES > limit.serverBytes) {
        const mb = (n) => `${Math.round(n / 100000) / 10} MB`;
        c.reject(
          excelError(
            "#VALUE!",
            `the arguments take ${mb(size)}, more than the server's request limit of ${mb(limit.serverBytes)}: pass smaller ranges`,
            c,
          ),
        );
        continue;
      }
      if (chunk.length && (chunk.length >= limit.calls || bytes + size > limit.bytes)) {
        chunks.push(chunk);
        chunk = [];
        bytes = ENVELOPE_BYTES;
      }
      chunk.push(c);
      bytes += size;
    }
    if (chunk.length) chunks.push(chunk);
    return chunks;
  }

  /* --- blanks: a blank cell that arrives as 0 -----------------------------------------------
     Excel on the web passes a blank cell as null and blanks inside ranges as "" or null; Excel on
     Windows passes them as 0 (office-js #4702, #5262, #1951), where a 0 and a blank mean different
     things to gpucredit (a blank recovery is the 0.35 default, a blank assumption is omitted, a
     blank debt service is a blank period). So for every argument that holds a 0 and comes from
     the sheet (Invocation.parameterAddresses, CustomFunctionsRuntime 1.3), the cells' value
     types are read with the Excel JavaScript API (Range.valueTypes, one Excel.run for the whole
     recalculation) and the 0s of cells that are "Empty" are sent as blanks (null). Where that
     read is not possible (no Excel API, an error, no answer within blankCheckMs) a 0 stays 0. */

  const CELL_REFERENCE =
    /^(?:(?:\[[^\]]*\])?(?:'(?:[^']|'')+'|[^'!]+)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?$/;

  function hasZero(wire) {
    if (wire === 0) return true;
    return Array.isArray(wire) && wire.some((row) => Array.isArray(row) && row.some((cell) => cell === 0));
  }

  /* The Excel.Range of an address as parameterAddresses gives it ("Sheet1!B2:B9", "'Q1 deal'!A1"). */
  function rangeOf(context, address) {
    const bang = address.lastIndexOf("!");
    const sheets = context.workbook.worksheets;
    if (bang < 0) return sheets.getActiveWorksheet().getRange(address);
    let sheet = address.slice(0, bang).replace(/^\[[^\]]*\]/, "");
    if (sheet.startsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    return sheets.getItem(sheet).getRange(address.slice(bang + 1));
  }

  function applyEmpty(lookup, types) {
    const { call, index } = lookup;
    const wire = call.args[index];
    const empty = (r, c) => Array.isArray(types) && Array.isArray(types[r]) && types[r][c] === "Empty";
    if (!Array.isArray(wire)) {
      if (wire === 0 && empty(0, 0)) call.args[index] = null;
      return;
    }
    call.args[index] = wire.map((row, r) => row.map((cell, c) => (cell === 0 && empty(r, c) ? null : cell)));
  }

  async function resolveBlanks(calls, deadline) {
    const lookups = [];
    for (const call of calls) {
      const addresses = call.parameterAddresses;
      if (!Array.isArray(addresses)) continue;
      call.args.forEach((wire, index) => {
        const address = addresses[index];
        if (typeof address === "string" && CELL_REFERENCE.test(address) && hasZero(wire)) {
          lookups.push({ call, index, address });
        }
      });
    }
    if (!lookups.length) return;
    const excel = root.Excel;
    const unchecked = () => {
      stats.blankChecksSkipped += lookups.length;
      lookups.forEach((lookup) => (lookup.call.zerosUnchecked = true));
    };
    if (!excel || typeof excel.run !== "function") {
      unchecked();
      return;
    }
    stats.blankChecks += 1;
    const timer = deadlineAt(Math.min(deadline, Date.now() + settings.blankCheckMs));
    try {
      const read = Promise.resolve(
        excel.run(async (context) => {
          const ranges = lookups.map((lookup) => {
            const range = rangeOf(context, lookup.address);
            range.load("valueTypes");
            return range;
          });
          await context.sync();
          return ranges.map((range) => range.valueTypes);
        }),
      );
      const types = await Promise.race([read, timer.promise]);
      if (types === "timeout") {
        read.catch(() => {});
        unchecked();
        return;
      }
      lookups.forEach((lookup, k) => applyEmpty(lookup, types[k]));
    } catch (error) {
      unchecked(); // e.g. a sheet renamed meanwhile: 0 stays 0
    } finally {
      timer.cancel();
    }
  }

  async function flush() {
    timer = null;
    const calls = queue;
    queue = [];
    const deadline = Date.now() + settings.timeoutMs;
    await resolveBlanks(calls, deadline);
    return Promise.all(chunksOf(calls).map((chunk) => send(chunk, deadline)));
  }

  /* Queue one formula cell; the promise settles when its batch comes back. During Excel's formula
     value preview (Invocation.isInValuePreview, CustomFunctionsRuntime 1.5) a heavy function (a
     whole deal, a Monte Carlo run) is not computed: the preview shows a note instead. */
  function invoke(id, args, invocation) {
    const spec = functions[id] || {};
    const name = `${settings.namespace}.${id}`;
    if (invocation && invocation.isInValuePreview === true && spec.heavy) {
      stats.previewsSkipped += 1;
      return Promise.resolve([[`${name}: computed when the formula is entered`]]);
    }
    return new Promise((resolve, reject) => {
      queue.push({
        name,
        args: args.map(argToWire),
        matrix: Boolean(spec.matrix),
        address: (invocation && invocation.address) || "",
        parameterAddresses: (invocation && invocation.parameterAddresses) || null,
        resolve,
        reject,
      });
      if (timer === null) timer = setTimeout(flush, settings.batchDelayMs);
    });
  }

  /* Excel passes the declared parameters (null when omitted), then an invocation object; should
     a host pass fewer, the invocation object must still not be taken for an argument. */
  function splitArguments(args, count) {
    if (args.length > count) return { declared: args.slice(0, count), invocation: args[count] };
    const last = args[args.length - 1];
    const invocation =
      last !== null && typeof last === "object" && !Array.isArray(last) && !errorCodeOf(last);
    return invocation ? { declared: args.slice(0, -1), invocation: last } : { declared: args };
  }

  function register() {
    const cf = customFunctions();
    if (!cf || typeof cf.associate !== "function") return false;
    for (const [id, spec] of Object.entries(functions)) {
      cf.associate(id, (...args) => {
        const { declared, invocation } = splitArguments(args, spec.params);
        return invoke(id, declared, invocation);
      });
    }
    return true;
  }

  const registered = register();
  root.GPUCREDIT_FUNCTIONS = {
    settings,
    stats,
    invoke,
    flush,
    registered,
    ids: Object.keys(functions),
    errorLog,
    onError: (listener) => errorListeners.push(listener),
  };
})(globalThis);
