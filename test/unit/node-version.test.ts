import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, unsupportedNodeMessage } from '../../src/node-version.js';

describe('unsupportedNodeMessage', () => {
  it('names the Node that is needed and the one that runs, in one line', () => {
    expect(unsupportedNodeMessage('v20.20.2')).toBe('auditwire needs Node >= 22.19; this is v20.20.2');
    expect(unsupportedNodeMessage('v22.18.0')).toBe('auditwire needs Node >= 22.19; this is v22.18.0');
  });

  it('accepts 22.19 and every later release', () => {
    expect(MINIMUM_NODE).toBe('22.19');
    for (const version of ['v22.19.0', 'v22.23.3', 'v23.0.0', 'v24.1.0', 'v30.0.0']) expect(unsupportedNodeMessage(version)).toBeUndefined();
  });
});
