import { describe, expect, it } from 'vitest';
import { BatchProcessor, type QueuedItem } from '../../../src/processor/batch-processor.js';

const item = (): QueuedItem => ({ bytes: 1, seq: 0, settled: false });

/** A processor whose exports record their batches and settle them at once. */
function recording(options: { maxQueueSize: number; maxBatchSize: number }) {
  const exported: QueuedItem[][] = [];
  const processor: BatchProcessor<QueuedItem> = new BatchProcessor<QueuedItem>({
    ...options,
    maxQueueBytes: 1000,
    maxBatchBytes: 1000,
    flushIntervalMs: 60_000,
    maxConcurrentExports: 1,
    exportBatch: async (batch) => {
      exported.push(batch);
      for (const queued of batch) processor.markSettled(queued);
    },
  });
  return { processor, exported };
}

describe('BatchProcessor', () => {
  it("starts a full batch after the producer's synchronous code, not inside its offer", async () => {
    const { processor, exported } = recording({ maxQueueSize: 100, maxBatchSize: 2 });
    expect(processor.offer(item())).toBe(true);
    expect(processor.offer(item())).toBe(true);
    expect(exported).toHaveLength(0); // the offer that filled the batch returned without exporting it
    await Promise.resolve();
    expect(exported.map((batch) => batch.length)).toEqual([2]);
    await processor.flush();
  });

  it('says it is full once it holds maxQueueSize items, whatever their size', () => {
    const { processor } = recording({ maxQueueSize: 2, maxBatchSize: 10 });
    processor.offer(item());
    expect(processor.isFull).toBe(false);
    processor.offer(item());
    expect(processor.isFull).toBe(true);
    expect(processor.offer(item())).toBe(false);
  });
});
