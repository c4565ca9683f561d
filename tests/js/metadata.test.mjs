// The served functions.json against Microsoft's own schema files, with a JSON Schema validator
// (ajv, draft-04 as the files declare): the custom-functions part of the app manifest schema as
// shipped in Microsoft's npm package @microsoft/app-manifest (pinned by package-lock.json), in
// v1.26 (the newest with the 128-character description limits) and v1.30 (current).
// Also checks that tests/data/custom-functions-metadata.schema.json is a verbatim copy of v1.26's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import Ajv from "ajv-draft-04";

const URL_ = process.env.GPUCREDIT_URL;
const require = createRequire(import.meta.url);
const PARTS = ["extensionFunction", "extensionFunctionParameter", "extensionResult"];

async function microsoftSchema(version) {
  const file = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/${version}/MicrosoftTeams.schema.json`);
  return JSON.parse(await readFile(file, "utf8"));
}

/* The XML-manifest functions.json keeps options in "options"; the unified manifest has them on
   the function itself, with requiresParameterAddresses spelled requiresParameterAddress. */
function flattened(entry) {
  const { options = {}, ...rest } = entry;
  const out = { ...rest };
  for (const [key, value] of Object.entries(options)) {
    out[key === "requiresParameterAddresses" ? "requiresParameterAddress" : key] = value;
  }
  return out;
}

for (const version of ["v1.26", "v1.30"]) {
  test(`functions.json passes Microsoft's ${version} custom-functions schema`, async () => {
    const schema = await microsoftSchema(version);
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
    ajv.addSchema(schema, "manifest");
    const validate = ajv.compile({ $ref: "manifest#/definitions/extensionFunction" });
    const metadata = await (await fetch(`${URL_}/functions.json`)).json();
    assert.ok(metadata.functions.length >= 34);
    // The test server speaks http; Excel loads add-ins only over https, which `gpucredit serve`
    // uses (and v1.30 requires https helpUrls). Check the link, then validate its https form.
    for (const entry of metadata.functions) {
      assert.equal(entry.helpUrl, `${URL_}/reference#${entry.id}`);
      entry.helpUrl = entry.helpUrl.replace(/^http:/, "https:");
    }
    const known = Object.keys(schema.definitions.extensionFunction.properties);
    for (const entry of metadata.functions) {
      for (const form of [entry, flattened(entry)]) {
        assert.ok(validate(form), `${entry.id}: ${ajv.errorsText(validate.errors)}`);
      }
      // Every option is one Microsoft defines, as a boolean.
      for (const [key, value] of Object.entries(flattened(entry))) {
        if (!["options", "parameters", "result"].includes(key)) assert.ok(known.includes(key), `${entry.id}: ${key}`);
        if (entry.options && key in entry.options) assert.equal(typeof value, "boolean");
      }
    }
    // Microsoft's schema requires a matrix result with requiresParameterAddress (its text).
    for (const entry of metadata.functions) {
      if (entry.options.requiresParameterAddresses) assert.equal(entry.result.dimensionality, "matrix");
    }
  });
}

test("the schema pinned in tests/data is v1.26's custom-functions part, verbatim", async () => {
  const schema = await microsoftSchema("v1.26");
  const pinned = JSON.parse(await readFile(new URL("../data/custom-functions-metadata.schema.json", import.meta.url), "utf8"));
  for (const part of PARTS) assert.deepEqual(pinned.definitions[part], schema.definitions[part], part);
  assert.deepEqual(pinned.properties.functions, schema.definitions.extensionCustomFunctions.properties.functions);
  assert.equal(schema.definitions.extensionFunction.properties.description.maxLength, 128);
  assert.equal(schema.definitions.extensionFunctionParameter.properties.description.maxLength, 128);
});

test("a description over 128 characters fails the pinned schema (the check can fail)", async () => {
  const schema = await microsoftSchema("v1.26");
  const ajv = new Ajv({ strict: false, unicodeRegExp: true });
  ajv.addSchema(schema, "manifest");
  const validate = ajv.compile({ $ref: "manifest#/definitions/extensionFunction" });
  const entry = { id: "LTV", name: "LTV", description: "x".repeat(129), parameters: [], result: { dimensionality: "matrix" } };
  assert.equal(validate(entry), false);
  entry.description = "x".repeat(128);
  assert.equal(validate(entry), true);
});
