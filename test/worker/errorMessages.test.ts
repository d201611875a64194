import { describe, expect, it } from 'vitest';
import { describeJobError, watchDeviceLoss } from '../../src/worker/errorMessages';

describe('job error messages', () => {
  it('words out-of-memory errors as what happened and what to do', () => {
    for (const raw of [
      'Failed to allocate buffer of size 1073741824',
      'RangeError: Array buffer allocation failed',
      'WebGPU: out of memory',
      'Requested texture size [70000x3] greater than WebGL maximum on this browser / GPU [16384x16384].',
    ]) {
      const m = describeJobError(new Error(raw), 'webgpu');
      expect(m).toMatch(/^out of memory on the webgpu backend \(/);
      expect(m).toContain(raw);
      expect(m).toMatch(/Reduce the batch size, channels, cells or image size/);
    }
  });

  it('words a lost device, and passes other messages through', () => {
    expect(describeJobError(new Error('Device is lost'), 'webgpu')).toMatch(
      /^the GPU device was lost on the webgpu backend \(Device is lost\)\. Start again/,
    );
    expect(describeJobError(new Error('WebGL context lost'), 'webgl')).toMatch(/device was lost/);
    expect(describeJobError(new Error('batch size 64 is larger than the split'), 'cpu')).toBe(
      'batch size 64 is larger than the split',
    );
    expect(describeJobError('plain string', null)).toBe('plain string');
  });

  it('reports a device loss once it happens, but not our own destroy()', async () => {
    const seen: string[] = [];
    let lose: (info: { reason: string; message: string }) => void = () => undefined;
    const lost = new Promise<{ reason: string; message: string }>((r) => (lose = r));
    watchDeviceLoss({ device: { lost } }, (m) => seen.push(m));
    watchDeviceLoss({}, (m) => seen.push(m));
    expect(seen).toEqual([]);
    lose({ reason: 'unknown', message: 'GPU process crashed' });
    await lost;
    await Promise.resolve();
    expect(seen).toEqual(['the GPU device was lost: GPU process crashed']);

    const mine: string[] = [];
    const destroyed = Promise.resolve({ reason: 'destroyed', message: '' });
    watchDeviceLoss({ device: { lost: destroyed } }, (m) => mine.push(m));
    await destroyed;
    await Promise.resolve();
    expect(mine).toEqual([]);
  });
});
