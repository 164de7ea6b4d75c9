// `npm run conformance`: runs every vector in spec/vectors/ through the TypeScript implementation (the built
// package, as users get it) and through the independent Python reference, and fails on any vector either gets
// wrong or on which the two disagree.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CanonicalizationError,
  ValidationError,
  canonicalJson,
  hashEvent,
  parseIJson,
  retracedHash,
  retracedHashTarget,
} from '../dist/index.js';
import { runLedgerVector } from './conformance-ledger.mjs';

const vectorDir = fileURLToPath(new URL('../spec/vectors/', import.meta.url));
const pythonRunner = fileURLToPath(new URL('../spec/reference/python/run_vectors.py', import.meta.url));

/** What an implementation produced for one vector, in the shape the Python runner prints with --json. */
function runTypeScript(kind, vector) {
  if (kind === 'ledger') return runLedgerVector(vector);
  try {
    if (kind === 'retraced') {
      return { hashTarget: retracedHashTarget(vector.event, vector.id), hash: retracedHash(vector.event, vector.id) };
    }
    const value = parseIJson(vector.json);
    return { canonical: canonicalJson(value), hash: hashEvent(value) };
  } catch (error) {
    if (kind === 'retraced' && error instanceof ValidationError) return { error: 'missing-field', path: error.issues[0]?.path };
    if (error instanceof CanonicalizationError) return { error: 'not-i-json', path: error.path };
    if (error instanceof ValidationError) return { error: 'syntax' };
    return { error: `unexpected: ${error}` };
  }
}

/** The fields a vector fixes, so a result can be compared with it. */
function expectedOf(vector) {
  if (vector.expect !== undefined) return vector.expect;
  const keys = ['canonical', 'hashTarget', 'hash', 'error', 'path'];
  return Object.fromEntries(keys.filter((key) => key in vector).map((key) => [key, vector[key]]));
}

function matches(expected, actual) {
  return Object.entries(expected).every(([key, value]) => actual?.[key] === value);
}

function runPython() {
  const run = spawnSync('python3', [pythonRunner, vectorDir, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error) throw new Error(`cannot run python3: ${run.error.message}`);
  try {
    return new Map(JSON.parse(run.stdout).map((result) => [`${result.file}/${result.name}`, result]));
  } catch {
    throw new Error(`the Python reference printed no JSON results (exit ${run.status}):\n${run.stderr}`);
  }
}

const python = runPython();
const failures = [];
let count = 0;
for (const file of readdirSync(vectorDir).filter((name) => name.endsWith('.json')).sort()) {
  const { kind, vectors } = JSON.parse(readFileSync(`${vectorDir}${file}`, 'utf8'));
  for (const vector of vectors) {
    count++;
    const expected = expectedOf(vector);
    const ts = runTypeScript(kind, vector);
    const py = python.get(`${file}/${vector.name}`);
    if (!matches(expected, ts)) failures.push(`typescript ${file} ${vector.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(ts)}`);
    if (!py) failures.push(`python ${file} ${vector.name}: no result`);
    else if (!matches(expected, py)) failures.push(`python ${file} ${vector.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(py)}`);
  }
}

for (const failure of failures) console.error(`FAIL ${failure}`);
const failedVectors = new Set(failures.map((line) => line.split(' ').slice(1, 3).join(' '))).size;
console.log(`conformance: ${count} vectors in ${vectorDir}, each through TypeScript (dist/) and Python (spec/reference/python/)`);
console.log(`${count - failedVectors} passed, ${failedVectors} failed`);
process.exitCode = failures.length === 0 ? 0 : 1;
