import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { AuditsClient } from '../client/audits-client.js';
import { ValidationError } from '../errors.js';
import { backfill, type BackfillCounts, type BackfillResult } from './backfill.js';
import { unreadableFile } from './read-documents.js';
import type { CommandIo } from './command-io.js';
import { errorLine, oneLine } from './error-line.js';
import { readEvents, type ReadProgress } from './event-stream.js';
import { FailureLog, type FailureRecord } from './failure-log.js';
import { ProgressBar, type ProgressState } from './progress-bar.js';
import { redactor } from './redact.js';
import { configError, parseSendArgs, SEND_HELP, type SendSettings } from './send-options.js';
import { CliInputError } from './usage-error.js';


/** Failure reasons shown on the terminal at the end; the rest are in the errors file. */
const SHOWN_FAILURES = 5;

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
    size = await checkInput(settings, io);
    await assertWritableDirectory(settings.failuresPath);
    client = createClient(settings);
    input = openInput(settings, io);
  } catch (error) {
    return usageProblem(error);
  }

  const startedAt = performance.now();
  const failures = new FailureLog(settings.failuresPath);
  const shown: FailureRecord[] = [];
  /** Failed with HASH_MISMATCH: the server did store these, so sending them again stores them twice. */
  let stored = 0;
  const readProgress: ReadProgress = { bytesRead: 0 };
  const bar = !settings.quiet && io.progress?.isTTY === true ? new ProgressBar(io.progress) : undefined;

  // The client's timers (batching, retry backoff) are unref'd so a library never holds a process open; this command
  // exists to wait for them, so it holds the process itself until every event has its outcome.
  const hold = setInterval(() => {}, 1 << 30);
  let result: BackfillResult;
  try {
    result = await backfill(client, readEvents(input, readProgress), {
      signal: io.signal,
      interruptGraceMs: io.interruptGraceMs,
      stopReading: () => input.destroy(),
      mask,
      onFailure: (failure) => {
        failures.record(failure);
        if (failure.code === 'HASH_MISMATCH') stored++;
        if (shown.length < SHOWN_FAILURES) shown.push(failure);
      },
      onProgress: bar && ((counts) => bar.update(progressState(counts, readProgress.bytesRead, size))),
    });
  } finally {
    clearInterval(hold);
    bar?.finish();
  }
  const seconds = (performance.now() - startedAt) / 1000;

  let failuresWritten = true;
  try {
    await failures.close();
  } catch (error) {
    failuresWritten = false;
    io.err(mask(errorLine(new Error(`could not write the failures to ${failures.path}: ${(error as Error).message}`))));
  }

  // Input that is unreadable from its start is a usage problem like any other: one line, nothing else.
  if (result.inputError !== undefined && result.read === 0) return usageProblem(result.inputError);

  const anyProblem = result.failed > 0 || result.interrupted || result.inputError !== undefined;
  if (!settings.quiet || anyProblem) io.out(`${summary(result, seconds)}${droppedFieldsNote(client.stats().unmapped)}`);
  if (result.failed > 0) reportFailures(io, failures, shown, result.failed, failuresWritten, mask);
  if (stored > 0) {
    io.err(`auditwire: ${stored} of them failed with HASH_MISMATCH: the server stored them, so sending them again stores them twice; investigate before re-sending`);
  }
  if (result.interrupted) {
    const where = result.lastWhere === undefined ? 'before the first event' : `after ${result.lastWhere}`;
    io.err(`auditwire: interrupted: stopped reading ${where}; events after it were not sent and are not in the failures file`);
  }
  if (result.inputError !== undefined) {
    io.err(mask(errorLine(result.inputError)));
    io.err('auditwire: the events before that point were sent (or are in the failures file); nothing after it was read');
    return 2;
  }
  return result.failed > 0 || result.interrupted ? 1 : 0;
}

function createClient(settings: SendSettings): AuditsClient {
  try {
    return new AuditsClient(settings.client);
  } catch (error) {
    throw error instanceof ValidationError ? configError(error) : error;
  }
}

/** Checks the input before anything is sent; returns FILE's size (for the progress estimate), undefined for stdin. */
async function checkInput(settings: SendSettings, io: CommandIo): Promise<number | undefined> {
  if (settings.inputPath === undefined) {
    if ((io.stdin ?? process.stdin).isTTY === true) throw new CliInputError('no input: give a FILE or pipe events into standard input');
    return undefined;
  }
  try {
    const info = await stat(settings.inputPath);
    if (!info.isFile()) throw new CliInputError(`cannot read ${settings.file}: not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof CliInputError) throw error;
    throw unreadableFile(settings.file, error);
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

/** Cannot fail: a file that stat() found but open() refuses surfaces as a read error, reported like bad input. */
function openInput(settings: SendSettings, io: CommandIo): Readable {
  return settings.inputPath === undefined ? (io.stdin ?? process.stdin) : createReadStream(settings.inputPath);
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
    io.err(`auditwire: ${failed} failed event${failed === 1 ? '' : 's'} written to ${failures.path} (send that file again to retry); reasons in ${failures.errorsPath}`);
  }
}
