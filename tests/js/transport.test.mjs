// Every call settles: functions.js against fake misbehaving servers on 127.0.0.1 (an answer that
// is not JSON, a server that stalls, one that closes the connection, one that fails once and then
// forwards to the real gpucredit server) and against a real server with a small body limit.
// Environment (set by tests/excel/test_addin_js.py):
//   GPUCREDIT_URL        a real server
//   GPUCREDIT_SMALL_URL  a real server with max_body_bytes = GPUCREDIT_SMALL_LIMIT
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { ErrorCode, excelCall, loadAddin, plain } from "./harness.mjs";

const URL_ = process.env.GPUCREDIT_URL;
const SMALL_URL = process.env.GPUCREDIT_SMALL_URL;
const SMALL_LIMIT = Number(process.env.GPUCREDIT_SMALL_LIMIT);

/* The real server's functions.js, to load against other addresses. */
const source = async () => (await fetch(`${URL_}/functions.js`)).text();

/* A fake server on a free port; `handle(req, res, n)` sees the n-th /api/v1/call request. */
async function fakeServer(handle) {
  let calls = 0;
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      calls += 1;
      handle(req, res, calls, Buffer.concat(chunks));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests: () => calls,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/* Settle a set of calls; returns the outcomes and how long the slowest took (ms). */
async function settleAll(promises) {
  const started = Date.now();
  const outcomes = await Promise.allSettled(promises);
  return { outcomes, elapsed: Date.now() - started };
}

function assertAllRejected(outcomes, code, pattern) {
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "rejected");
    assert.equal(outcome.reason.code, code);
    assert.match(outcome.reason.message, pattern);
  }
}

const FAST = { timeoutMs: 600, retries: 2, retryDelayMs: 20 };

test("a 200 answer that is not JSON: every call settles with #N/A and the reason", async () => {
  const fake = await fakeServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<html><body>Please sign in</body></html>");
  });
  try {
    const { fns } = await loadAddin(fake.url, { source: await source(), settings: { ...FAST, baseUrl: fake.url } });
    const { outcomes, elapsed } = await settleAll([excelCall(fns, "LTV", 1, 2), excelCall(fns, "LTV", 2, 3)]);
    assertAllRejected(outcomes, ErrorCode.notAvailable, /not JSON \(HTTP 200, text\/html\)/);
    assert.ok(elapsed < FAST.timeoutMs, `settled after ${elapsed} ms`);
    assert.equal(fake.requests(), 1); // not a transient failure: no retry
  } finally {
    await fake.close();
  }
});

test("a server that stalls: every call settles with #N/A when the timeout runs out", async () => {
  const fake = await fakeServer(() => {}); // reads the request, never answers
  try {
    const settings = { ...FAST, baseUrl: fake.url, maxCallsPerRequest: 2, maxInFlight: 1 };
    const { fns, api } = await loadAddin(fake.url, { source: await source(), settings });
    // Three requests of two calls, one slot: the two waiting for the slot must settle too.
    const calls = Array.from({ length: 6 }, (_, i) => excelCall(fns, "LTV", i, 10));
    const { outcomes, elapsed } = await settleAll(calls);
    assertAllRejected(outcomes, ErrorCode.notAvailable, /(did not answer|busy: no answer) within 0.6 s/);
    assert.match(outcomes[0].reason.message, /did not answer within 0\.6 s/);
    assert.match(outcomes[5].reason.message, /busy/);
    assert.ok(elapsed >= FAST.timeoutMs - 50 && elapsed < FAST.timeoutMs + 400, `${elapsed} ms`);
    assert.equal(fake.requests(), 1); // a timeout is not retried; the others never got a slot
    assert.ok(api.stats.timeouts >= 3);
  } finally {
    await fake.close();
  }
});

test("a server that stalls after the headers: the body read is bounded too", async () => {
  const fake = await fakeServer((req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"results": ['); // and nothing more
  });
  try {
    const { fns } = await loadAddin(fake.url, { source: await source(), settings: { ...FAST, baseUrl: fake.url } });
    const { outcomes, elapsed } = await settleAll([excelCall(fns, "LTV", 1, 2)]);
    assertAllRejected(outcomes, ErrorCode.notAvailable, /did not answer within/);
    assert.ok(elapsed < FAST.timeoutMs + 400, `${elapsed} ms`);
  } finally {
    await fake.close();
  }
});

test("a server that closes the connection: retried a bounded number of times, then #N/A", async () => {
  const fake = await fakeServer((req) => req.socket.destroy());
  try {
    const { fns, api } = await loadAddin(fake.url, { source: await source(), settings: { ...FAST, baseUrl: fake.url } });
    const { outcomes, elapsed } = await settleAll([excelCall(fns, "LTV", 1, 2), excelCall(fns, "LTV", 2, 3)]);
    assertAllRejected(outcomes, ErrorCode.notAvailable, /closed the connection/);
    assert.equal(fake.requests(), 1 + FAST.retries); // one try and two retries, one request each
    assert.equal(api.stats.retries, FAST.retries);
    assert.ok(elapsed < FAST.timeoutMs, `${elapsed} ms`);
  } finally {
    await fake.close();
  }
});

test("a connection lost once: the retry reaches the real server and the values arrive", async () => {
  const fake = await fakeServer(async (req, res, n, body) => {
    if (n === 1) {
      req.socket.destroy();
      return;
    }
    const answer = await fetch(`${URL_}/api/v1/call`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    res.writeHead(answer.status, { "Content-Type": "application/json" });
    res.end(await answer.text());
  });
  try {
    const { fns, api } = await loadAddin(fake.url, { source: await source(), settings: { ...FAST, baseUrl: fake.url } });
    // LTV = debt / value.
    const values = await Promise.all([excelCall(fns, "LTV", 1, 4), excelCall(fns, "LTV", 3, 4)]);
    assert.deepEqual(plain(values), [[[0.25]], [[0.75]]]);
    assert.equal(fake.requests(), 2);
    assert.equal(api.stats.retries, 1);
  } finally {
    await fake.close();
  }
});

test("503 is retried; 400 is not", async () => {
  let status = 503;
  const fake = await fakeServer((req, res) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: "x", reason: `answered ${status} on purpose` }));
  });
  try {
    const { fns } = await loadAddin(fake.url, { source: await source(), settings: { ...FAST, baseUrl: fake.url } });
    let { outcomes } = await settleAll([excelCall(fns, "LTV", 1, 2)]);
    assertAllRejected(outcomes, ErrorCode.notAvailable, /answered 503 on purpose/);
    assert.equal(fake.requests(), 3);
    status = 400;
    ({ outcomes } = await settleAll([excelCall(fns, "LTV", 1, 2)]));
    assertAllRejected(outcomes, ErrorCode.invalidValue, /answered 400 on purpose/);
    assert.equal(fake.requests(), 4);
  } finally {
    await fake.close();
  }
});

/* n calls of DSCR on a column of `rows` cells each; DSCR = cfads / debt_service element-wise. */
function bigCalls(fns, n, rows) {
  const cfads = Array.from({ length: rows }, (_, r) => [r + 1.5]);
  const debt = Array.from({ length: rows }, () => [1.5]);
  return Array.from({ length: n }, (_, i) => excelCall(fns, "DSCR", cfads, debt.map(([d]) => [d * (i + 1)])));
}

function checkBig(results, rows) {
  results.forEach((column, i) => {
    assert.equal(column.length, rows);
    column.forEach(([value], r) => assert.ok(Math.abs(value - (r + 1.5) / (1.5 * (i + 1))) < 1e-12));
  });
}

test("batches are split by bytes below the server's body limit, read from its settings", async () => {
  const { fns, requests, bodies } = await loadAddin(SMALL_URL);
  // Each call is about 400 bytes of JSON: 30 of them are far over the limit of one request.
  const results = await Promise.all(bigCalls(fns, 30, 20));
  checkBig(results, 20);
  assert.ok(requests.length > 1, `one request of ${bodies[0]} bytes`);
  assert.equal(requests.reduce((a, b) => a + b, 0), 30);
  for (const size of bodies) assert.ok(size <= SMALL_LIMIT, `${size} > ${SMALL_LIMIT}`);
});

test("a batch over the size limit (limits unknown) is split on 413 and answered call by call", async () => {
  // The add-in is told nothing of the server's limits, so its first request is too big.
  const settings = { server: {}, maxBodyBytes: 1e9 };
  const { fns, requests, api } = await loadAddin(SMALL_URL, { settings });
  const results = await Promise.all(bigCalls(fns, 30, 20));
  checkBig(results, 20);
  assert.ok(api.stats.splits >= 1);
  assert.equal(requests[0], 30); // the one refused
});

test("a single call over the body limit: #VALUE! saying so; the calls that fit are answered", async () => {
  for (const settings of [{}, { server: {}, maxBodyBytes: 1e9 }]) {
    const { fns } = await loadAddin(SMALL_URL, { settings });
    const huge = Array.from({ length: SMALL_LIMIT }, (_, r) => [r]);
    const outcomes = await Promise.allSettled([
      excelCall(fns, "LTV", 1, 4),
      excelCall(fns, "LTV", huge, 4),
      excelCall(fns, "LTV", 3, 4),
    ]);
    assert.deepEqual(plain(outcomes[0].value), [[0.25]]);
    assert.equal(outcomes[1].status, "rejected");
    assert.equal(outcomes[1].reason.code, ErrorCode.invalidValue);
    assert.match(outcomes[1].reason.message, /limit|larger than/);
    assert.deepEqual(plain(outcomes[2].value), [[0.75]]);
  }
});
