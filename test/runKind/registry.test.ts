/**
 * The run-kind registry: a kind registered in a test is found by id, by command and selector,
 * and by the format of its checkpoints; duplicates are refused; a toy run steps, checkpoints and
 * resumes through the uniform interface.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeContainer } from '../../src/nas/io/checkpointFormat';
import {
  findRunKind,
  registerRunKind,
  runKindById,
  runKindForCheckpoint,
  selectRunKind,
} from '../../src/nas/runKind/registry';
import type { RunEnv, RunReport } from '../../src/nas/runKind/runKind';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { TOY_ENTRY, TOY_INFO, TOY_SCHEMA } from '../support/toyRunKind';

const ENV: RunEnv = {
  host: 'test',
  files: () => {
    throw new Error('the toy reads no files');
  },
};

let unregister: (() => void) | null = null;
afterEach(() => {
  unregister?.();
  unregister = null;
});

describe('run-kind registry', () => {
  it('finds a registered kind by id, selector and checkpoint format, and forgets it again', async () => {
    unregister = registerRunKind(TOY_ENTRY);
    expect(runKindById('toy')).toBe(TOY_ENTRY);
    expect(selectRunKind('search', { space: 'cnn', algorithm: 'toy' })).toBe(TOY_ENTRY);
    expect(() => selectRunKind('search', { space: 'cnn', algorithm: 'nope' })).toThrow(
      /--algorithm must be one of .*toy.*, got "nope"/,
    );
    const run = await (await TOY_ENTRY.load()).create(defaultSettings(TOY_SCHEMA), ENV);
    expect(runKindForCheckpoint(await run.checkpoint())).toBe(TOY_ENTRY);
    unregister();
    unregister = null;
    expect(findRunKind('toy')).toBeUndefined();
    expect(() => runKindById('toy')).toThrow('unknown run kind "toy"');
  });

  it('refuses a second kind with the same id or checkpoint format', () => {
    unregister = registerRunKind(TOY_ENTRY);
    expect(() => registerRunKind(TOY_ENTRY)).toThrow('a run kind "toy" is registered already');
    expect(() => registerRunKind({ ...TOY_ENTRY, info: { ...TOY_INFO, id: 'toy2' } })).toThrow(
      'another run kind writes checkpoints of "nas-lab.toy-checkpoint"',
    );
  });

  it('names what a file is when no kind reads it', () => {
    const bytes = encodeContainer({ manifest: { format: 'nas-lab.trained-model' }, tensors: [] });
    expect(() => runKindForCheckpoint(bytes)).toThrow(
      /this file is a "nas-lab.trained-model", not a checkpoint of a run/,
    );
  });

  it('steps, checkpoints and resumes a toy run through the uniform interface', async () => {
    const kind = await TOY_ENTRY.load();
    const settings = { ...defaultSettings(TOY_SCHEMA), steps: 4 };
    const whole = await kind.create(settings, ENV);
    const all: RunReport[] = [];
    for (let r = await whole.next(); r; r = await whole.next()) all.push(r);
    expect(all.map((r) => r.type)).toEqual(['step', 'step', 'step', 'step', 'done']);

    const first = await kind.create(settings, ENV);
    await first.next();
    await first.next();
    const resumed = await kind.resume(await first.checkpoint(), ENV);
    expect(resumed.step).toBe(2);
    const rest: RunReport[] = [];
    for (let r = await resumed.next(); r; r = await resumed.next()) rest.push(r);
    expect(rest).toEqual(all.slice(2));
    expect(() => resumed.setLive({ steps: 3 })).toThrow('steps cannot change while the toy runs');
  });
});
