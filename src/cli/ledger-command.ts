import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkRecordProof } from '../ledger/check-proof.js';
import { ledgerPaths } from '../ledger/ledger-files.js';
import { generateLedgerKeys } from '../ledger/ledger-keys.js';
import { parseVerifierKey, type NoteVerifier } from '../ledger/note-key.js';
import { proveRecord, ProofUnavailableError, type RecordProof } from '../ledger/prove-record.js';
import { fetchAuditLogEvents } from '../ledger/fetch-auditlog.js';
import { fetchFronteggAudits } from '../ledger/fetch-frontegg.js';
import { reconcileLedger, type ExportItem, type ReconcileFinding, type ReconcileSummary } from '../ledger/reconcile-ledger.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { AuditsClient } from '../client/audits-client.js';
import { ValidationError } from '../errors.js';
import { redactor, type Redact } from '../redact/redactor.js';
import { configError } from './send-options.js';
import { readEvents } from './event-stream.js';
import { unreadableFile } from './read-documents.js';
import { CliInputError } from './usage-error.js';

export const LEDGER_HELP = `Usage: auditwire ledger COMMAND ...

  keygen --origin ORIGIN [--out PREFIX]      make an Ed25519 key pair: PREFIX.key (PKCS#8 PEM, the client's
                                             ledger.signingKey; keep it secret) and PREFIX.pub (the signed-note
                                             verifier key named ORIGIN). PREFIX defaults to "ledger"
  verify DIR --public-key FILE               recompute the tree, check every checkpoint's signature and that each
                                             is consistent with the one before it
  prove DIR --id ID                          print the record with ID, its inclusion proof and the latest
                                             checkpoint, as JSON an auditor checks without the ledger
  check-proof FILE --public-key FILE         check a proof printed by "prove" (what the auditor runs)
  reconcile DIR --export FILE                compare the ledger with the vendor's stored events (JSON or JSONL, as
                                             GET /_auditwire/export of the reference server writes them): missing,
                                             altered and unknown events
  reconcile DIR --fetch auditlog --endpoint URL
                                             read each AuditLog.co event of the ledger back from the vendor
                                             (GET /api/v1/events/:id; key from AUDITWIRE_API_KEY or --api-key):
                                             missing and altered events
  reconcile DIR --fetch frontegg --tenant-id ID [--tenant-id ID ...] [--endpoint URL] [--client-id ID]
                                             read every stored audit of each tenant back from Frontegg
                                             (getAudits, page by page; gateway from FRONTEGG_API_GATEWAY_URL,
                                             client id from FRONTEGG_CLIENT_ID, its secret from AUDITWIRE_API_KEY
                                             or FRONTEGG_API_KEY or --api-key): missing, altered and unknown
                                             events. Name every tenant the ledger's Frontegg events went to

Exit status: 0 when all is well, 1 when a problem was found (each printed, with the record, checkpoint or event
id it concerns), 2 on bad input.`;

type Io = { readonly out: (line: string) => void; readonly err: (line: string) => void };

export async function runLedger(args: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'keygen':
      return keygen(rest, io);
    case 'verify':
      return verify(rest, io);
    case 'prove':
      return prove(rest, io);
    case 'check-proof':
      return checkProof(rest, io);
    case 'reconcile':
      return reconcile(rest, io);
    case undefined:
    case '--help':
    case '-h':
      io.out(LEDGER_HELP);
      return 0;
    default:
      throw new CliInputError(`unknown ledger command "${subcommand}" (keygen, verify, prove, check-proof, reconcile)`);
  }
}

function options<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(args: string[], spec: T) {
  return parseArgs({ args, allowPositionals: true, options: { ...spec, help: { type: 'boolean', short: 'h' } } });
}

async function keygen(args: string[], { out }: Io): Promise<number> {
  const { values } = options(args, { origin: { type: 'string' }, out: { type: 'string' } });
  if (values.help === true) return help(out);
  if (typeof values.origin !== 'string') throw new CliInputError('keygen needs --origin ORIGIN (the log name, e.g. example.com/audit)');
  let pair;
  try {
    pair = generateLedgerKeys(values.origin);
  } catch (error) {
    throw new CliInputError((error as Error).message);
  }
  const prefix = typeof values.out === 'string' ? values.out : 'ledger';
  // 'wx': an existing key is never overwritten (it may be the only copy); the private key is readable by its owner only.
  try {
    await writeFile(`${prefix}.key`, pair.privateKey, { flag: 'wx', mode: 0o600 });
    await writeFile(`${prefix}.pub`, `${pair.publicKey}\n`, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliInputError(code === 'EEXIST' ? `${prefix}.key or ${prefix}.pub exists already; choose another --out` : `cannot write the key files: ${code ?? String(error)}`);
  }
  out(`wrote ${prefix}.key (private: the client's ledger.signingKey) and ${prefix}.pub (public: ${pair.publicKey})`);
  return 0;
}

async function verify(args: string[], { out, err }: Io): Promise<number> {
  const { values, positionals } = options(args, { 'public-key': { type: 'string' } });
  if (values.help === true) return help(out);
  const dir = await ledgerDir(positionals, 'verify');
  const verifier = await readVerifier(values['public-key']);
  const summary = await verifyLedger(dir, verifier, (problem) => err(`${problem.where}: ${problem.message}`));
  const unsigned = summary.records - summary.checkpointed;
  out(
    `${summary.records} records, ${summary.checkpoints} checkpoints${unsigned > 0 ? ` (${unsigned} records after the last checkpoint, not yet signed)` : ''}: ` +
      (summary.problems === 0 ? 'intact' : `${summary.problems} problem(s)`),
  );
  return summary.problems === 0 ? 0 : 1;
}

async function prove(args: string[], { out, err }: Io): Promise<number> {
  const { values, positionals } = options(args, { id: { type: 'string' } });
  if (values.help === true) return help(out);
  const dir = await ledgerDir(positionals, 'prove');
  if (typeof values.id !== 'string' || values.id === '') throw new CliInputError('prove needs --id EVENT_ID');
  try {
    out(JSON.stringify(await proveRecord(dir, values.id), null, 2));
    return 0;
  } catch (error) {
    if (!(error instanceof ProofUnavailableError)) throw error;
    err(`auditwire: ${error.message}`);
    return 1;
  }
}

async function checkProof(args: string[], { out, err }: Io): Promise<number> {
  const { values, positionals } = options(args, { 'public-key': { type: 'string' } });
  if (values.help === true) return help(out);
  if (positionals.length !== 1) throw new CliInputError('check-proof takes exactly one FILE (the output of ledger prove)');
  const verifier = await readVerifier(values['public-key']);
  const file = positionals[0] as string;
  let proof: RecordProof;
  try {
    proof = JSON.parse(await readFile(file, 'utf8')) as RecordProof;
  } catch (error) {
    throw error instanceof SyntaxError ? new CliInputError(`${file} is not JSON`) : unreadableFile(file, error);
  }
  if (typeof proof !== 'object' || proof === null || typeof proof.checkpoint !== 'string' || !Array.isArray(proof.proof)) {
    throw new CliInputError(`${file} is not the output of ledger prove`);
  }
  const failure = checkRecordProof(proof, verifier);
  if (failure !== undefined) {
    err(`record ${proof.leafIndex}: ${failure}`);
    return 1;
  }
  out(`record ${proof.leafIndex} (id ${proof.record.id}) is in the signed tree of ${proof.treeSize} records`);
  return 0;
}

async function reconcile(args: string[], { out, err }: Io): Promise<number> {
  const { values, positionals } = options(args, {
    export: { type: 'string' },
    fetch: { type: 'string' },
    endpoint: { type: 'string' },
    'api-key': { type: 'string' },
    'client-id': { type: 'string' },
    'tenant-id': { type: 'string', multiple: true },
  });
  if (values.help === true) return help(out);
  const dir = await ledgerDir(positionals, 'reconcile');
  const report = (finding: ReconcileFinding): void => err(`${finding.kind}: ${finding.message}`);
  let summary;
  if (values.fetch === 'frontegg') {
    return reconcileFrontegg(dir, values, { out, err });
  } else if (values.fetch !== undefined) {
    if (values.fetch !== 'auditlog') throw new CliInputError(`--fetch supports auditlog (AuditLog.co read-back) and frontegg (getAudits); for other vendors export their events to a file and use --export`);
    const endpoint = values.endpoint ?? process.env.AUDITWIRE_ENDPOINT;
    const apiKey = values['api-key'] ?? process.env.AUDITWIRE_API_KEY;
    if (endpoint === undefined || apiKey === undefined || apiKey === '') throw new CliInputError('--fetch auditlog needs --endpoint URL (or AUDITWIRE_ENDPOINT) and the key in AUDITWIRE_API_KEY (or --api-key)');
    summary = await reconcileLedger(dir, fetchAuditLogEvents(dir, { endpoint, apiKey }), report, { adapter: 'auditlog' });
  } else {
    const file = values.export;
    if (typeof file !== 'string') throw new CliInputError('reconcile needs --export FILE (the vendor\'s stored events, JSON or JSONL) or --fetch auditlog');
    await stat(file).catch((error: unknown) => {
      throw unreadableFile(file, error);
    });
    summary = await reconcileLedger(dir, exportItems(file), report);
  }
  return reconcileResult(summary, out);
}

function reconcileResult(summary: ReconcileSummary, out: (line: string) => void): number {
  out(`${summary.ledgerRecords} ledger records, ${summary.exported} exported events: ${summary.findings === 0 ? 'all accounted for' : `${summary.findings} finding(s)`}`);
  return summary.findings === 0 ? 0 : 1;
}

interface FronteggFlags {
  readonly endpoint?: string | undefined;
  readonly 'api-key'?: string | undefined;
  readonly 'client-id'?: string | undefined;
  readonly 'tenant-id'?: string[] | undefined;
}

/** `reconcile --fetch frontegg`: the Frontegg records of the ledger against every stored audit of the tenants named. */
async function reconcileFrontegg(dir: string, values: FronteggFlags, { out, err }: Io): Promise<number> {
  const env = process.env;
  const clientId = values['client-id'] ?? nonEmpty(env.FRONTEGG_CLIENT_ID);
  // As `send` reads them: AUDITWIRE_API_KEY first, FRONTEGG_API_KEY when it is unset.
  const apiKey = values['api-key'] ?? nonEmpty(env.AUDITWIRE_API_KEY) ?? nonEmpty(env.FRONTEGG_API_KEY);
  const endpoint = values.endpoint ?? nonEmpty(env.FRONTEGG_API_GATEWAY_URL);
  const tenantIds = values['tenant-id'] ?? [];
  const mask: Redact = redactor([clientId, apiKey, env.AUDITWIRE_API_KEY, env.FRONTEGG_API_KEY]);
  if (tenantIds.length === 0 || tenantIds.some((tenant) => tenant.trim() === '')) {
    throw new CliInputError('--fetch frontegg needs --tenant-id ID (repeat it for each tenant the ledger\'s Frontegg events went to)');
  }
  if (clientId === undefined || apiKey === undefined) {
    throw new CliInputError('--fetch frontegg needs the client id (--client-id or FRONTEGG_CLIENT_ID) and its secret (AUDITWIRE_API_KEY, FRONTEGG_API_KEY or --api-key)');
  }
  const settings = { adapter: 'frontegg', clientId, apiKey, ...(endpoint === undefined ? {} : { endpoint }) } as const;
  let client: AuditsClient;
  try {
    client = new AuditsClient(settings);
  } catch (error) {
    throw error instanceof ValidationError ? new CliInputError(mask(configError(error, settings).message)) : error;
  }
  try {
    const audits = fetchFronteggAudits((query) => client.getAudits(query), { tenantIds });
    const summary = await reconcileLedger(dir, audits, (finding) => err(mask(`${finding.kind}: ${finding.message}`)), { adapter: 'frontegg' });
    return reconcileResult(summary, (line) => out(mask(line)));
  } finally {
    await client.close();
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

async function* exportItems(file: string): AsyncGenerator<ExportItem> {
  for await (const item of readEvents(createReadStream(file))) {
    yield item.ok ? { where: item.where, ok: true, value: item.value } : { where: item.where, ok: false, error: item.error.message };
  }
}

async function ledgerDir(positionals: string[], command: string): Promise<string> {
  if (positionals.length !== 1) throw new CliInputError(`${command} takes exactly one DIR (the ledger directory)`);
  const dir = positionals[0] as string;
  const paths = ledgerPaths(dir);
  const present = await Promise.all([paths.records, paths.checkpoints].map((path) => stat(path).then(() => true, () => false)));
  if (!present.some(Boolean)) throw new CliInputError(`${dir} is not a ledger directory (no records.log or checkpoints.log)`);
  return dir;
}

async function readVerifier(file: string | undefined): Promise<NoteVerifier> {
  if (file === undefined) throw new CliInputError('--public-key FILE is required (the .pub file ledger keygen wrote)');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadableFile(file, error);
  }
  try {
    return parseVerifierKey(text);
  } catch (error) {
    throw new CliInputError(`${file}: ${(error as Error).message}`);
  }
}

function help(out: (line: string) => void): number {
  out(LEDGER_HELP);
  return 0;
}
