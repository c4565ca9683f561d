// Shared by the Node tests: the served functions.js loaded in a fresh vm context with the Office
// runtime's CustomFunctions object stubbed as Microsoft documents it (associate, Error, ErrorCode:
// learn.microsoft.com/javascript/api/custom-functions-runtime), and a fetch that records requests.
import vm from "node:vm";

export class CFError extends Error {
  constructor(code, message) {
    super(message || "");
    this.code = code;
  }
}

/* CustomFunctions.ErrorCode: member -> the error Excel shows (CustomFunctionsRuntime 1.3). */
export const ErrorCode = {
  invalidValue: "#VALUE!",
  notAvailable: "#N/A",
  divisionByZero: "#DIV/0!",
  invalidNumber: "#NUM!",
  nullReference: "#NULL!",
  invalidName: "#NAME?",
  invalidReference: "#REF!",
};

/* Load functions.js from `source` (a URL to fetch it from, or its text) in a fresh context.
   `settings` become GPUCREDIT_SETTINGS; `excel` is an optional stub of the Excel JS API. */
export async function loadAddin(baseUrl, { settings = {}, token, source, excel } = {}) {
  const text = source || (await (await fetch(`${baseUrl}/functions.js`)).text());
  const associated = new Map();
  const requests = [];
  const bodies = [];
  const countingFetch = (url, init) => {
    bodies.push(Buffer.byteLength(init.body, "utf8"));
    requests.push(JSON.parse(init.body).calls.length);
    return fetch(url, init);
  };
  const context = {
    CustomFunctions: { associate: (id, fn) => associated.set(id, fn), Error: CFError, ErrorCode },
    fetch: countingFetch,
    setTimeout,
    clearTimeout,
    AbortController,
    console,
    GPUCREDIT_SETTINGS: settings,
    GPUCREDIT_TOKEN: token,
  };
  if (excel) context.Excel = excel;
  vm.createContext(context);
  vm.runInContext(text, context, { filename: "functions.js" });
  return { fns: associated, requests, bodies, api: context.GPUCREDIT_FUNCTIONS, context };
}

/* Arrays made inside the add-in's context have that context's prototypes; compare plain data. */
export const plain = (value) => JSON.parse(JSON.stringify(value));

/* Call a registered function as Excel does: declared parameters, then an invocation object. */
export function excelCall(fns, id, ...args) {
  return fns.get(id)(...args, { address: "Sheet1!A1" });
}
