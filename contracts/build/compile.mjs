// Compiles every .sol file under a source root with the pinned solc-js, writes one artifact per
// contract (ABI, bytecode, deployed bytecode, method identifiers, storage layout) and has web3j's
// codegen turn the artifacts into Java wrappers.
//
// Run by the Maven build through build/compile.sh (which checks Node.js and runs `npm ci`):
//   node build/compile.mjs --sources <dir> --artifacts <dir> --java-out <dir> --package <pkg>
//        --stamp <file> [--include <dir>]... [--java <java binary> --classpath <cp>]
//
// Guarantees the build relies on:
// - nothing is recompiled when sources, compiler and settings are unchanged (a stamp file holds
//   their hash and is written last, after every output is in place);
// - outputs are built in a temporary directory and renamed into place, so a compile error or a
//   codegen failure leaves the previous complete outputs (or none), never a partial set;
// - a compile error prints solc's own message with the file path, line and column, and exits 1.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';
import { SETTINGS, artifactOf } from './artifact.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));


class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { include: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) {
      throw new UsageError(`unexpected argument '${key}'`);
    }
    const name = key.slice(2);
    if (name === 'include') opts.include.push(path.resolve(value));
    else opts[name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = value;
  }
  for (const required of ['sources', 'artifacts', 'stamp']) {
    if (!opts[required]) throw new UsageError(`--${required} is required`);
  }
  if (opts.javaOut && (!opts.package || !opts.java || !opts.classpath)) {
    throw new UsageError('--java-out needs --package, --java and --classpath');
  }
  opts.sources = path.resolve(opts.sources);
  opts.artifacts = path.resolve(opts.artifacts);
  opts.stamp = path.resolve(opts.stamp);
  if (opts.javaOut) opts.javaOut = path.resolve(opts.javaOut);
  return opts;
}

/** Every .sol file under root, as source-unit names relative to root with forward slashes. */
function solidityFiles(root) {
  if (!fs.existsSync(root)) return [];
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.sol')) {
        found.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return found.sort();
}

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** Hash of everything that determines the outputs: any change here means recompile. */
function stampOf(opts) {
  const inputs = [
    solc.version(),
    JSON.stringify(SETTINGS),
    opts.package ?? '',
    // The codegen classpath names the web3j version, so a web3j upgrade regenerates the wrappers.
    opts.classpath ?? '',
    fs.readFileSync(fileURLToPath(import.meta.url)),
    fs.readFileSync(path.join(here, 'artifact.mjs')),
    fs.readFileSync(path.join(here, 'GenerateWrappers.java')),
  ];
  for (const root of [opts.sources, ...opts.include]) {
    inputs.push(root);
    for (const name of solidityFiles(root)) {
      inputs.push(name, fs.readFileSync(path.join(root, name)));
    }
  }
  return sha256(...inputs);
}

function upToDate(opts, stamp) {
  return fs.existsSync(opts.stamp)
    && fs.readFileSync(opts.stamp, 'utf8').trim() === stamp
    && fs.existsSync(opts.artifacts)
    && (!opts.javaOut || fs.existsSync(opts.javaOut));
}

/** Imports outside the compiled root (e.g. test contracts importing main ones) come from --include roots. */
function importResolver(includeRoots) {
  return (unitName) => {
    for (const root of includeRoots) {
      const candidate = path.join(root, unitName);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
    }
    return { error: `not found under ${includeRoots.join(', ') || '(no --include roots)'}` };
  };
}

/** The absolute path of a source unit, for messages an editor can jump to. */
function absolutePathOf(unitName, opts) {
  for (const root of [opts.sources, ...opts.include]) {
    const candidate = path.join(root, unitName);
    if (fs.existsSync(candidate)) return candidate;
  }
  return unitName;
}

function lineAndColumn(text, offset) {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

function describe(diagnostic, opts) {
  const where = diagnostic.sourceLocation;
  let header = '';
  if (where?.file) {
    const file = absolutePathOf(where.file, opts);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    header = `${file}:${lineAndColumn(text, where.start)}: `;
  }
  return `${header}${diagnostic.severity}: ${diagnostic.type}\n${diagnostic.formattedMessage.trimEnd()}\n`;
}

function compile(opts, units) {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(units.map((name) => [
      name, { content: fs.readFileSync(path.join(opts.sources, name), 'utf8') },
    ])),
    settings: SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: importResolver(opts.include) }));
  const diagnostics = output.errors ?? [];
  for (const warning of diagnostics.filter((d) => d.severity !== 'error')) {
    console.error(describe(warning, opts));
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const error of errors) console.error(describe(error, opts));
    return null;
  }
  return output;
}

/** One artifact per contract, keyed by contract name; names must be unique across files. */
function artifactsOf(output, compiledUnits) {
  const artifacts = new Map();
  for (const unit of compiledUnits) {
    for (const [name, contract] of Object.entries(output.contracts?.[unit] ?? {})) {
      if (artifacts.has(name)) {
        throw new UsageError(`contract name '${name}' is declared in both ${artifacts.get(name).sourceName} `
          + `and ${unit}; artifacts are keyed by contract name, so rename one of them`);
      }
      artifacts.set(name, artifactOf(name, unit, contract));
    }
  }
  return artifacts;
}

function generateWrappers(opts, artifactsDir, javaDir) {
  // codegen reports each file on stdout; only its failures (stderr) are worth showing in a build.
  const run = spawnSync(opts.java, [
    '-Dslf4j.internal.verbosity=ERROR',
    '-cp', opts.classpath,
    path.join(here, 'GenerateWrappers.java'),
    artifactsDir, javaDir, opts.package,
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.error) throw new Error(`could not run ${opts.java}: ${run.error.message}`);
  return run.status === 0;
}

/** Replaces target with source in one rename; the old target is removed first. */
function moveIntoPlace(source, target) {
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(source, target);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const units = solidityFiles(opts.sources);
  const stamp = stampOf(opts);
  if (upToDate(opts, stamp)) {
    return 0;
  }
  // The stamp goes first, so an interrupted run is never mistaken for a finished one.
  fs.rmSync(opts.stamp, { force: true });
  fs.mkdirSync(path.dirname(opts.stamp), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(opts.stamp), '.solc-'));
  try {
    let artifacts = new Map();
    if (units.length > 0) {
      const output = compile(opts, units);
      if (output === null) {
        console.error(`\nSolidity compilation failed (solc ${solc.version()}). `
          + 'Fix the errors above in the named files; nothing was written (earlier outputs, if any, are untouched).');
        return 1;
      }
      artifacts = artifactsOf(output, units);
    }
    const artifactsDir = path.join(work, 'artifacts');
    fs.mkdirSync(artifactsDir);
    for (const [name, artifact] of artifacts) {
      fs.writeFileSync(path.join(artifactsDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
    }
    const javaDir = path.join(work, 'java');
    fs.mkdirSync(javaDir);
    if (opts.javaOut && artifacts.size > 0 && !generateWrappers(opts, artifactsDir, javaDir)) {
      console.error('\nweb3j wrapper generation failed (message above); nothing was written (earlier outputs, if any, are untouched).');
      return 1;
    }
    moveIntoPlace(artifactsDir, opts.artifacts);
    if (opts.javaOut) moveIntoPlace(javaDir, opts.javaOut);
    fs.writeFileSync(opts.stamp, `${stamp}\n`);
    console.log(`solc ${solc.version()}: compiled ${units.length} file(s) under ${opts.sources} `
      + `into ${artifacts.size} artifact(s) in ${opts.artifacts}`);
    return 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`compile.mjs: ${e.message}`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
