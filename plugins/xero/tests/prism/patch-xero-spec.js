#!/usr/bin/env node
// Writes a patched copy of Xero's OpenAPI (xero_accounting.yaml) for the schema-validating mock.
//
//   node patch-xero-spec.js <reference xero_accounting.yaml> <output file>
//
// The one patch: Xero's spec declares every attachment upload body (application/octet-stream)
// as `type: string, format: byte`, i.e. base64 text, while the real API takes the raw file bytes
// (PUT .../{Endpoint}/{Guid}/Attachments/{FileName} with the file as the body). Left as is,
// Prism would flag every correct upload of a PDF or JPEG as a violation, so those schemas become
// `format: binary`. Nothing else changes. The reference file is never copied into the repository:
// the tests run this at test time and write the result into the build folder.
//
// The patch is line-based and strict: it only rewrites a `format: byte` that is the schema of an
// `application/octet-stream` request body (three lines below it), and fails when it finds none,
// so a new spec layout is noticed instead of silently tested unpatched.
'use strict';
const fs = require('fs');

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: patch-xero-spec.js <xero_accounting.yaml> <output.yaml>');
  process.exit(2);
}
const lines = fs.readFileSync(input, 'utf8').split('\n');
let patched = 0;
for (let i = 0; i < lines.length; ++i) {
  if (lines[i].trim() !== 'application/octet-stream:') continue;
  const window = lines.slice(i + 1, i + 4).map((l) => l.trim());
  if (window[0] === 'schema:' && window[1] === 'type: string' && window[2] === 'format: byte') {
    lines[i + 3] = lines[i + 3].replace('format: byte', 'format: binary');
    ++patched;
  }
}
if (patched === 0) {
  console.error(`patch-xero-spec.js: no base64 attachment body found in ${input}; the spec layout changed`);
  process.exit(1);
}
fs.writeFileSync(output, lines.join('\n'));
console.log(`patch-xero-spec.js: ${patched} attachment bodies declared as raw bytes -> ${output}`);
