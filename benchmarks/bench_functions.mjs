// Drives the served functions.js in Node against a running gpucredit server, as Excel's shared
// runtime would: every formula cell is one call of an associated custom function.
// Usage: node bench_functions.mjs BASE_URL  -> prints one JSON line of timings.
import vm from "node:vm";
import { performance } from "node:perf_hooks";

const base = process.argv[2];
const CELLS = Number(process.env.BENCH_CELLS || 10000);
const LATENCY_CELLS = Number(process.env.BENCH_LATENCY_CELLS || 1000);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS || 100);

class CFError extends Error {
  constructor(code, message) {
    super(message || "");
    this.code = code;
  }
}
const ErrorCode = { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!",
  invalidNumber: "#NUM!", nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!" };

const source = await (await fetch(`${base}/functions.js`)).text();

function load(settings) {
  const fns = new Map();
  const stats = { requests: 0 };
  const context = {
    CustomFunctions: { associate: (id, fn) => fns.set(id, fn), Error: CFError, ErrorCode },
    fetch: (url, init) => { stats.requests += 1; return fetch(url, init); },
    setTimeout, clearTimeout, AbortController, console, GPUCREDIT_SETTINGS: settings,
  };
  vm.createContext(context);
  vm.runInContext(source, context);
  return { fns, stats };
}

// One recalculation: n cells =GPU.LTV(debt_i, value_i), all dirty at once.
async function recalc(fns, n) {
  const ltv = fns.get("LTV");
  const calls = [];
  for (let i = 0; i < n; i++) calls.push(ltv(1000 + i, 4000 + i, {}));
  const out = await Promise.all(calls);
  // Spot-check: debt/value.
  const last = out[n - 1][0][0];
  if (Math.abs(last - (1000 + n - 1) / (4000 + n - 1)) > 1e-12) throw new Error("wrong result");
  return out;
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

const batched = load({});
await recalc(batched.fns, 200); // warm up connections and the server

// BENCH_LATENCY_ONLY=1: only the p50/p99 of LATENCY_CELLS-cell recalculations.
if (process.env.BENCH_LATENCY_ONLY === "1") {
  const runs = [];
  for (let r = 0; r < LATENCY_RUNS; r++) runs.push(await timed(() => recalc(batched.fns, LATENCY_CELLS)));
  runs.sort((a, b) => a - b);
  const at = (p) => runs[Math.min(runs.length - 1, Math.ceil((p / 100) * runs.length) - 1)];
  console.log(JSON.stringify({ latency_cells: LATENCY_CELLS, latency_runs: LATENCY_RUNS,
    latency_p50: at(50), latency_p99: at(99) }));
  process.exit(0);
}
const warmRequests = batched.stats.requests;
const batchedSeconds = Math.min(
  await timed(() => recalc(batched.fns, CELLS)),
  await timed(() => recalc(batched.fns, CELLS)),
  await timed(() => recalc(batched.fns, CELLS)),
);
const batchedRequests = (batched.stats.requests - warmRequests) / 3;

// One request per cell, at most 6 at a time (a browser's connections per host).
const single = load({ maxCallsPerRequest: 1, maxInFlight: 6 });
await recalc(single.fns, 200);
const before = single.stats.requests;
const singleSeconds = await timed(() => recalc(single.fns, CELLS));
const singleRequests = single.stats.requests - before;

const latency = [];
for (let r = 0; r < LATENCY_RUNS; r++) latency.push(await timed(() => recalc(batched.fns, LATENCY_CELLS)));
latency.sort((a, b) => a - b);
const pct = (p) => latency[Math.min(latency.length - 1, Math.ceil((p / 100) * latency.length) - 1)];

console.log(JSON.stringify({
  cells: CELLS,
  batched_seconds: batchedSeconds,
  batched_requests: batchedRequests,
  single_seconds: singleSeconds,
  single_requests: singleRequests,
  latency_cells: LATENCY_CELLS,
  latency_runs: LATENCY_RUNS,
  latency_p50: pct(50),
  latency_p99: pct(99),
}));
