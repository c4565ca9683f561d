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
 *   /api/v1/call (split into requests of at most maxCallsPerRequest calls, at most maxInFlight
 *   requests at a time); results come back in the same order.
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
    maxCallsPerRequest: 1000, // the server accepts up to its max_calls per batch
    maxInFlight: 4, // requests at once, so a big sheet cannot flood the server
    tokenStorageKey: "gpucredit.token",
  };
  const settings = Object.assign({}, DEFAULTS, CONFIG && CONFIG.settings, root.GPUCREDIT_SETTINGS);
  const functions = (CONFIG && CONFIG.functions) || {};

  /* Excel error literal -> CustomFunctions.ErrorCode member. */
  const ERROR_CODES = {
    "#VALUE!": "invalidValue",
    "#NUM!": "invalidNumber",
    "#DIV/0!": "divisionByZero",
    "#N/A": "notAvailable",
    "#NAME?": "invalidName",
    "#NULL!": "nullReference",
    "#REF!": "invalidReference",
  };

  const stats = { requests: 0, calls: 0 };
  let queue = [];
  let timer = null;
  let inFlight = 0;
  const waiting = [];

  function customFunctions() {
    return root.CustomFunctions;
  }

  /* A CustomFunctions.Error for an Excel error literal and its reason. */
  function excelError(code, reason) {
    const cf = customFunctions();
    const member = ERROR_CODES[code];
    const known = member && cf.ErrorCode && cf.ErrorCode[member] !== undefined;
    const errorCode = known ? cf.ErrorCode[member] : cf.ErrorCode.invalidValue;
    // Codes Office.js has no member for (#SPILL!, #CALC!) keep their literal in the message.
    const message = known ? reason || "" : `${code} ${reason || ""}`.trim();
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

  function cellFromWire(value) {
    if (value === null || value === undefined) return ""; // blanks display empty
    if (typeof value === "object" && typeof value.error === "string") {
      return excelError(value.error, value.reason);
    }
    return value;
  }

  /* A result in wire form as Excel takes it; throws the error of a whole-cell error. */
  function resultFromWire(value, matrix) {
    const cf = customFunctions();
    if (Array.isArray(value)) {
      const rows = value.map((row) => (Array.isArray(row) ? row : [row]).map(cellFromWire));
      if (matrix) return rows;
      const single = rows.length ? rows[0][0] : "";
      if (single instanceof cf.Error) throw single;
      return single;
    }
    const cell = cellFromWire(value);
    if (cell instanceof cf.Error) throw cell;
    return matrix ? [[cell]] : cell;
  }

  function token() {
    if (root.GPUCREDIT_TOKEN) return root.GPUCREDIT_TOKEN;
    try {
      return root.localStorage ? root.localStorage.getItem(settings.tokenStorageKey) : null;
    } catch (e) {
      return null; // storage can be blocked; then no token
    }
  }

  async function acquireSlot() {
    if (inFlight < settings.maxInFlight) {
      inFlight += 1;
      return;
    }
    await new Promise((resolve) => waiting.push(resolve));
    inFlight += 1;
  }

  function releaseSlot() {
    inFlight -= 1;
    const next = waiting.shift();
    if (next) next();
  }

  async function problemOf(response) {
    try {
      const body = await response.json();
      if (body && body.reason) return body.reason;
    } catch (e) {
      /* not JSON: fall through */
    }
    return `the gpucredit server answered HTTP ${response.status}`;
  }

  /* Send one request for a chunk of queued calls and settle each call's promise. */
  async function send(chunk) {
    await acquireSlot();
    try {
      stats.requests += 1;
      stats.calls += chunk.length;
      const headers = { "Content-Type": "application/json" };
      const bearer = token();
      if (bearer) headers.Authorization = `Bearer ${bearer}`;
      let response;
      try {
        response = await fetch(`${settings.baseUrl}/api/v1/call`, {
          method: "POST",
          headers,
          body: JSON.stringify({ calls: chunk.map((c) => ({ function: c.name, args: c.args })) }),
        });
      } catch (e) {
        const reason = `gpucredit server not reachable at ${settings.baseUrl || "this page"}`;
        chunk.forEach((c) => c.reject(excelError("#N/A", reason)));
        return;
      }
      if (!response.ok) {
        let reason = await problemOf(response);
        if (response.status === 401) reason += ": set the server's token in the gpucredit pane";
        const code = response.status === 401 || response.status >= 500 ? "#N/A" : "#VALUE!";
        chunk.forEach((c) => c.reject(excelError(code, reason)));
        return;
      }
      const body = await response.json();
      const results = body && Array.isArray(body.results) ? body.results : [];
      chunk.forEach((c, i) => {
        if (i >= results.length) {
          c.reject(excelError("#N/A", "the gpucredit server sent too few results"));
          return;
        }
        try {
          c.resolve(resultFromWire(results[i], c.matrix));
        } catch (error) {
          c.reject(error);
        }
      });
    } finally {
      releaseSlot();
    }
  }

  function flush() {
    timer = null;
    const calls = queue;
    queue = [];
    const sent = [];
    for (let start = 0; start < calls.length; start += settings.maxCallsPerRequest) {
      sent.push(send(calls.slice(start, start + settings.maxCallsPerRequest)));
    }
    return Promise.all(sent);
  }

  /* Queue one formula cell; the promise settles when its batch comes back. */
  function invoke(id, args) {
    const spec = functions[id];
    return new Promise((resolve, reject) => {
      queue.push({
        name: `${settings.namespace}.${id}`,
        args: args.map(argToWire),
        matrix: Boolean(spec && spec.matrix),
        resolve,
        reject,
      });
      if (timer === null) timer = setTimeout(flush, settings.batchDelayMs);
    });
  }

  /* Excel passes the declared parameters (null when omitted), then an invocation object; should
     a host pass fewer, the invocation object must still not be taken for an argument. */
  function declaredArguments(args, count) {
    if (args.length > count) return args.slice(0, count);
    const last = args[args.length - 1];
    const invocation =
      last !== null && typeof last === "object" && !Array.isArray(last) && !errorCodeOf(last);
    return invocation ? args.slice(0, -1) : args;
  }

  function register() {
    const cf = customFunctions();
    if (!cf || typeof cf.associate !== "function") return false;
    for (const [id, spec] of Object.entries(functions)) {
      cf.associate(id, (...args) => invoke(id, declaredArguments(args, spec.params)));
    }
    return true;
  }

  const registered = register();
  root.GPUCREDIT_FUNCTIONS = { settings, stats, invoke, flush, registered, ids: Object.keys(functions) };
})(globalThis);
