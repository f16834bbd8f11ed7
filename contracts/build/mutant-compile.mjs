// The Solidity mutation campaign's compiler (SolidityMutation in the module's tests): one long-lived
// solc-js, so that each mutant costs a compile and not a Node.js start and a compiler load.
//
//   node build/mutant-compile.mjs <source root> <top-level unit>...
//
// First compiles every top-level unit as it is and prints one line of JSON: {"closure": {unit: [files it
// imports, itself included]}}. Then reads one JSON request per line on stdin,
//   {"file": "rollup/Rollup.sol", "content": "...", "out": "/tmp/dir"}
// compiles the top-level units whose closure holds that file, with the file's content replaced,
// writes their contracts' artifacts to out/solidity/<Contract>.json (the shape build/compile.mjs
// writes, which Artifacts reads) and answers {"ok": true, "units": [...]} or {"ok": false, "error": "..."}
// (a mutant that does not compile).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import solc from 'solc';
// The same settings and artifact shape as build/compile.mjs: a mutant differs from the built contract only where it was mutated.
import { SETTINGS, artifactOf } from './artifact.mjs';

const [root, ...units] = process.argv.slice(2);

function compile(sources, replaced) {
  const read = (p) => (replaced && p === replaced.file ? replaced.content : fs.readFileSync(path.join(root, p), 'utf8'));
  const input = { language: 'Solidity', settings: SETTINGS,
    sources: Object.fromEntries(sources.map((u) => [u, { content: read(u) }])) };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: (p) => {
    try { return { contents: read(p) }; } catch (e) { return { error: String(e) }; }
  } }));
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  return { out, errors };
}

const closure = {};
for (const unit of units) {
  const { out, errors } = compile([unit]);
  if (errors.length) {
    process.stderr.write(`${unit} does not compile as it is: ${errors[0].formattedMessage}\n`);
    process.exit(1);
  }
  closure[unit] = Object.keys(out.sources);
}
process.stdout.write(JSON.stringify({ closure }) + '\n');

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const req = JSON.parse(line);
  const affected = units.filter((u) => closure[u].includes(req.file));
  const { out, errors } = compile(affected, req);
  if (errors.length) {
    process.stdout.write(JSON.stringify({ ok: false, error: errors[0].message }) + '\n');
    continue;
  }
  const dir = path.join(req.out, 'solidity');
  fs.mkdirSync(dir, { recursive: true });
  for (const unit of affected) {
    for (const [name, c] of Object.entries(out.contracts?.[unit] ?? {})) {
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(artifactOf(name, unit, c)));
    }
  }
  process.stdout.write(JSON.stringify({ ok: true, units: affected }) + '\n');
}
