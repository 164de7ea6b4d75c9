import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { AuditsClient } from '../client/audits-client.js';
import { ValidationError } from '../errors.js';
import { backfill, type BackfillCounts, type BackfillResult } from './backfill.js';
import { openInput } from './read-documents.js';
import type { CommandIo, ProgressStream } from './command-io.js';
import { errorLine, oneLine } from './error-line.js';
import { readEvents, type ReadProgress } from './event-stream.js';
import { FailureTally } from './failure-advice.js';
import { FailureLog, type FailureRecord } from './failure-log.js';
import { endpointPathWarning, notFoundHint, reportRetries } from './send-notices.js';
import { recordUnread } from './unread-events.js';
import { adapterBatchLimit } from './adapter-limits.js';
import { ProgressBar, type ProgressState } from './progress-bar.js';
import { redactor } from '../redact/redactor.js';
import { configError, parseSendArgs, SEND_HELP, type SendSettings } from './send-options.js';
import { CliInputError } from './usage-error.js';


/** Failure reasons shown on the terminal at the end; the rest are in the errors file. */
const SHOWN_FAILURES = 5;
/** How often a progress line is printed when stderr is not a terminal. */
const PROGRESS_LINE_MS = 5_000;

/**
 * `auditwire send FILE --adapter NAME`: streams the events of FILE through an `AuditsClient`. Never throws: returns
 * 0 when every event was sent, 1 when any failed or the run was interrupted, 2 on a usage or configuration problem.
 */
export async function runSend(args: string[], io: CommandIo): Promise<number> {
  const env = process.env;
  const envSecrets = [env.AUDITWIRE_API_KEY, env.FRONTEGG_API_KEY];
  let mask = redactor(envSecrets);
  const usageProblem = (error: unknown): number => {
    io.err(mask(errorLine(error)));
    return 2;
  };

  let settings: SendSettings;
  let input: Readable;
  let source: string;
  let size: number | undefined;
  let client: AuditsClient;
  try {
    const parsed = parseSendArgs(args, io.cwd ?? process.cwd(), env);
    if (parsed === 'help') {
      io.out(SEND_HELP);
      return 0;
    }
    settings = parsed;
    mask = redactor([settings.apiKey, ...envSecrets]);
    ({ stream: input, source, size } = await openInput(settings.file, settings.inputPath, io.stdin ?? process.stdin));
    await assertWritableDirectory(settings.failuresPath);
    client = createClient(settings);
  } catch (error) {
    return usageProblem(error);
  }

  const startedAt = performance.now();
  const failures = new FailureLog(settings.failuresPath);
  const tally = new FailureTally();
  const shown: FailureRecord[] = [];
  const record = (raw: FailureRecord): void => {
    const failure = { ...raw, message: inCommandTerms(raw.message) };
    failures.record(failure);
    tally.add(failure);
    if (shown.length < SHOWN_FAILURES) shown.push(failure);
  };
  const readProgress: ReadProgress = { bytesRead: 0 };
  const onTerminal = io.progress?.isTTY === true;
  const bar = !settings.quiet && onTerminal ? new ProgressBar(io.progress as ProgressStream) : undefined;
  let counts: Readonly<BackfillCounts> | undefined;
  // Without a terminal (CI logs, a pipe) a bar cannot be redrawn: a line every few seconds says the run is alive.
  const lines = !settings.quiet && !onTerminal ? setInterval(() => counts && io.err(progressLine(counts, startedAt)), io.progressIntervalMs ?? PROGRESS_LINE_MS) : undefined;
  lines?.unref();
  if (!settings.quiet) {
    reportRetries(client, io.err, mask);
    for (const warning of startWarnings(settings, client.adapter)) io.err(warning);
  }

  // The client's timers (batching, retry backoff) are unref'd so a library never holds a process open; this command
  // exists to wait for them, so it holds the process itself until every event has its outcome.
  const hold = setInterval(() => {}, 1 << 30);
  let result: BackfillResult;
  let unread = 0;
  try {
    result = await backfill(client, readEvents(input, { source, progress: readProgress }), {
      signal: io.signal,
      interruptGraceMs: io.interruptGraceMs,
      stopReading: () => input.destroy(),
      mask,
      requireTime: settings.requireTime,
      onFailure: record,
      onProgress: (latest) => {
        counts = latest;
        bar?.update(progressState(latest, readProgress.bytesRead, size));
      },
    });
    if (result.interrupted && settings.inputPath !== undefined) {
      unread = await recordUnread(settings.inputPath, source, result.lastIndex, record).catch((error: unknown) => {
        io.err(mask(errorLine(new Error(`could not read the rest of ${source} into the failures file: ${(error as Error).message}`))));
        return 0;
      });
    }
  } finally {
    clearInterval(hold);
    clearInterval(lines);
    bar?.finish();
  }
  const seconds = (performance.now() - startedAt) / 1000;

  let failuresWritten = true;
  let removedStale = false;
  try {
    // A failures file sent again that broke off part-way keeps what it held: this run did not see all of it.
    ({ removedStale } = await failures.finish(settings.inPlace && result.inputError !== undefined));
  } catch (error) {
    failuresWritten = false;
    io.err(mask(errorLine(new Error(`could not write the failures to ${failures.path}: ${(error as Error).message}`))));
  }

  // Input that is unreadable from its start is a usage problem like any other: one line, nothing else.
  if (result.inputError !== undefined && result.read === 0) return usageProblem(result.inputError);

  const anyProblem = result.failed > 0 || result.interrupted || result.inputError !== undefined;
  if (!settings.quiet || anyProblem) io.out(`${summary(result, seconds)}${droppedFieldsNote(client.stats().unmapped)}`);
  if (removedStale && !settings.quiet) io.err(`auditwire: removed ${failures.path} (and its errors file): every event was sent this time`);
  if (result.untimed > 0 && !settings.requireTime && !settings.quiet) {
    io.err(`auditwire: warning: ${result.untimed} event${result.untimed === 1 ? '' : 's'} had no "time" and ${result.untimed === 1 ? 'was' : 'were'} stamped with the time ${result.untimed === 1 ? 'it was' : 'they were'} sent; give each event the time it happened, or pass --require-time to refuse such events`);
  }
  const failed = result.failed + unread;
  if (failed > 0) reportFailures(io, failures, shown, failed, failuresWritten, mask);
  if (failed > 0 && failuresWritten) for (const line of tally.advice(failures.path, failures.errorsPath)) io.err(line);
  if (tally.notFound > 0) io.err(notFoundHint(client.adapter));
  if (result.interrupted) {
    const where = result.lastWhere === undefined ? 'before the first event' : `after ${result.lastWhere}`;
    if (settings.inputPath !== undefined) {
      io.err(`auditwire: interrupted: stopped reading ${where}; every event not sent (failed, in flight, or not read yet: ${unread}) is in ${failures.path}: send that file to resume`);
    } else {
      const next = /^line (\d+)$/.exec(result.lastWhere ?? '');
      const resume = next ? `; to resume, feed it again from line ${Number(next[1]) + 1} (e.g. tail -n +${Number(next[1]) + 1} FILE | auditwire send - ...)` : '';
      io.err(`auditwire: interrupted: stopped reading standard input ${where}; the events after it were not read${resume}`);
    }
  }
  if (result.inputError !== undefined) {
    io.err(mask(errorLine(result.inputError)));
    io.err('auditwire: the events before that point were sent (or are in the failures file); nothing after it was read');
    return 2;
  }
  return failed > 0 || result.interrupted ? 1 : 0;
}

/** The warnings due before anything is sent: settings that do something other than what they seem to say. */
function startWarnings(settings: SendSettings, adapter: string): string[] {
  const warnings: string[] = [];
  const endpoint = settings.client.endpoint ?? process.env.AUDITWIRE_ENDPOINT;
  const pathWarning = endpointPathWarning(adapter, endpoint);
  if (pathWarning !== undefined) warnings.push(pathWarning);
  const limit = adapterBatchLimit(settings.client);
  const asked = settings.client.maxBatchSize;
  if (asked !== undefined && limit !== undefined && asked > limit) {
    warnings.push(`auditwire: warning: --batch-size ${asked} is above the ${adapter} adapter's limit of ${limit} event${limit === 1 ? '' : 's'} per request; sending ${limit} per request`);
  }
  return warnings;
}

/** A client message in terms of this command: its options are flags here. */
function inCommandTerms(message: string): string {
  return message.replace(/\bmore than maxQueueBytes\b/, 'more than the client queue holds (raise it with --max-queue-bytes, default 16777216)');
}

/** `auditwire: progress: 4200 sent, 10 failed, 5000 read in 12 s (350 events/s)`. */
function progressLine(counts: Readonly<BackfillCounts>, startedAt: number): string {
  const seconds = (performance.now() - startedAt) / 1000;
  const rate = Math.round((counts.sent + counts.failed) / Math.max(seconds, 0.001));
  return `auditwire: progress: ${counts.sent} sent, ${counts.failed} failed, ${counts.read} read in ${Math.round(seconds)} s (${rate} events/s)`;
}

function createClient(settings: SendSettings): AuditsClient {
  try {
    const client = new AuditsClient(settings.client);
    // Every failure is reported per event (summary and failed file): heard, so no process warning besides.
    client.on('error', () => {});
    return client;
  } catch (error) {
    throw error instanceof ValidationError ? configError(error, settings.client) : error;
  }
}

/** Failures must never be lost, so a failures file that could not be created is found out before sending. */
async function assertWritableDirectory(path: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK);
  } catch {
    throw new CliInputError(`cannot write the failures file ${path}: its directory does not exist or is not writable (see --failures)`);
  }
}

function progressState(counts: Readonly<BackfillCounts>, bytesRead: number, size: number | undefined): ProgressState {
  const done = counts.sent + counts.failed;
  const total = counts.readingDone ? counts.read : undefined;
  // Before the end of the input is reached, estimate the total from the share of the file read so far.
  const estimate = size !== undefined && size > 0 && counts.read > 0 ? (done / counts.read) * (bytesRead / size) : undefined;
  return { done, sent: counts.sent, failed: counts.failed, total, estimate };
}

/** `sent N, verified V, failed F in T s (R events/s)`. */
function summary(result: BackfillResult, seconds: number): string {
  const rate = Math.round(result.sent / Math.max(seconds, 0.001));
  return `sent ${result.sent}, verified ${result.verified}, failed ${result.failed} in ${seconds.toFixed(1)} s (${rate} events/s)`;
}

/** Events the adapter sent without members its format cannot carry (the client warned once per member). */
function droppedFieldsNote(unmapped: number): string {
  return unmapped > 0 ? `; ${unmapped} sent without fields the adapter cannot carry` : '';
}

function reportFailures(
  io: CommandIo,
  failures: FailureLog,
  shown: readonly FailureRecord[],
  failed: number,
  written: boolean,
  mask: (text: string) => string,
): void {
  for (const failure of shown) {
    const id = failure.id === null ? '' : ` (id ${failure.id})`;
    io.err(mask(oneLine(`auditwire: ${failure.where}${id}: ${failure.code}: ${failure.message}`)));
  }
  if (failed > shown.length) io.err(`auditwire: ... and ${failed - shown.length} more`);
  if (written) {
    io.err(`auditwire: ${failed} failed event${failed === 1 ? '' : 's'} written to ${failures.path}; reasons in ${failures.errorsPath}`);
  }
}
