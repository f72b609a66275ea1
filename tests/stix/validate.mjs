// Validates STIX 2.1 bundles against the OASIS STIX 2.1 JSON Schemas.
//
//   node tests/stix/validate.mjs [--schemas DIR] BUNDLE.json...
//
// DIR defaults to ../shared/data/intel/stix-schemas/schemas beside the
// repository (oasis-open/cti-stix2-json-schemas, schemas/). Every schema under
// it is loaded (they refer to each other by $id and relative $ref; they are
// JSON Schema 2020-12, so Ajv's 2020 flavour), then each bundle is checked
// against common/bundle.json and each of its objects against the schema of
// its type (sdos/, sros/, observables/, common/). On top of the schemas:
// object ids are unique and every *_ref / *_refs id names an object of the
// bundle. Prints every error; exits 0 only when all are valid, 1 when one is
// not, 2 on usage errors and 77 (skip) when the schemas are absent.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { domainToASCII, fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
let schemaDir = resolve(here, "../../../shared/data/intel/stix-schemas/schemas");
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--schemas" && i + 1 < argv.length) schemaDir = resolve(argv[++i]);
  else if (argv[i].startsWith("-")) {
    console.error(`usage: node validate.mjs [--schemas DIR] BUNDLE.json...`);
    process.exit(2);
  } else files.push(argv[i]);
}
if (!files.length) {
  console.error("usage: node validate.mjs [--schemas DIR] BUNDLE.json...");
  process.exit(2);
}
if (!existsSync(join(schemaDir, "common", "bundle.json"))) {
  console.log(`stix validate: SKIP: no STIX schemas at ${schemaDir}`);
  process.exit(77);
}

// All schema files, depth first, in a stable order.
function schemaFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...schemaFiles(p));
    else if (name.endsWith(".json")) out.push(p);
  }
  return out;
}

// strict: false because the schemas carry "definitions" (a draft-07 keyword);
// unicodeRegExp: false because their patterns use identity escapes ("\-")
// that JavaScript refuses under the u flag.
const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
// ajv-formats has no idn-hostname: an internationalised host name is one
// whose ASCII (punycode) form is a valid host name.
ajv.addFormat("idn-hostname", {
  type: "string",
  validate: (s) => {
    const a = domainToASCII(s);
    return a !== "" && a.length <= 253 &&
      a.split(".").every((l) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(l));
  },
});
const byPath = new Map(); // "sdos/indicator.json" -> $id
for (const p of schemaFiles(schemaDir)) {
  const schema = JSON.parse(readFileSync(p, "utf8"));
  ajv.addSchema(schema);
  byPath.set(p.slice(schemaDir.length + 1).split("\\").join("/"), schema.$id);
}

function schemaFor(type) {
  for (const folder of ["sdos", "sros", "observables", "common"]) {
    const id = byPath.get(`${folder}/${type}.json`);
    if (id) return ajv.getSchema(id);
  }
  return null;
}

function fmt(errors) {
  return errors.map((e) => `    ${e.instancePath || "/"} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : "")).join("\n");
}

// Every id named by a *_ref or *_refs property, anywhere in the object.
function refsOf(v, out = []) {
  if (Array.isArray(v)) v.forEach((x) => refsOf(x, out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k.endsWith("_ref") && typeof x === "string") out.push([k, x]);
      else if (k.endsWith("_refs") && Array.isArray(x)) x.forEach((y) => out.push([k, y]));
      else refsOf(x, out);
    }
  }
  return out;
}

const bundleSchema = ajv.getSchema(byPath.get("common/bundle.json"));
let bad = 0, objects = 0;
for (const f of files) {
  let bundle;
  try {
    bundle = JSON.parse(readFileSync(f, "utf8"));
  } catch (e) {
    console.log(`${f}: not JSON: ${e.message}`);
    bad++;
    continue;
  }
  // The envelope's errors in full; an object that bundle.json rejects is
  // reported through its own type's schema below (the oneOf over every
  // type would list every type's complaint).
  const rejected = new Set();
  if (!bundleSchema(bundle)) {
    const envelope = bundleSchema.errors.filter((e) => !/^\/objects\/\d+/.test(e.instancePath));
    for (const e of bundleSchema.errors) {
      const m = /^\/objects\/(\d+)/.exec(e.instancePath);
      if (m) rejected.add(Number(m[1]));
    }
    if (envelope.length) {
      console.log(`${f}: bundle:\n${fmt(envelope)}`);
      bad++;
    }
  }
  const list = Array.isArray(bundle.objects) ? bundle.objects : [];
  const ids = new Set();
  for (const [i, o] of list.entries()) {
    objects++;
    const where = `${f}: objects[${i}] ${o.type}${o.id ? " " + o.id : ""}`;
    const validate = schemaFor(o.type);
    if (!validate) {
      console.log(`${where}: no schema for type ${o.type}`);
      bad++;
    } else if (!validate(o)) {
      console.log(`${where}:\n${fmt(validate.errors)}`);
      bad++;
    } else if (rejected.has(i)) {
      console.log(`${where}: valid for its type but rejected by common/bundle.json`);
      bad++;
    }
    if (ids.has(o.id)) {
      console.log(`${where}: duplicate id`);
      bad++;
    }
    ids.add(o.id);
  }
  for (const [i, o] of list.entries())
    for (const [k, ref] of refsOf(o))
      if (!ids.has(ref)) {
        console.log(`${f}: objects[${i}] ${o.id}: ${k} ${ref} is not in the bundle`);
        bad++;
      }
}
console.log(bad ? `stix validate: ${bad} error(s) in ${objects} objects of ${files.length} bundle(s)`
                : `stix validate: ${objects} objects in ${files.length} bundle(s): all valid`);
process.exit(bad ? 1 : 0);
