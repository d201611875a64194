/**
 * A run that asks its host to pause (a note with `halt: 'pause'`, as the DARTS search's early
 * stopping does) is paused by the lab's session, which then resumes it on request, and by the
 * command line, which writes the note's files and its checkpoint and ends. The kind here wraps
 * the test-only toy kind (test/support/toyRunKind.ts) and asks after its second step.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileSource } from '../../src/data/catalog';
import { main } from '../../src/cli/main';
import { registerRunKind } from '../../src/nas/runKind/registry';
import type { Run, RunKind, RunKindInfo, RunReport } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { LabSession } from '../../src/worker/labSession';
import type { FromWorker, StartRunMessage } from '../../src/worker/protocol';
import { TOY_INFO, TOY_KIND, TOY_SCHEMA } from '../support/toyRunKind';

const HALT_INFO: RunKindInfo = {
  ...TOY_INFO,
  id: 'toy-halt',
  title: 'Halting toy run',
  select: { space: 'cnn', algorithm: 'toy-halt' },
};

/** The toy run, with a note asking to pause after step 2. */
function halting(run: Run): Run {
  let asked = false;
  return Object.assign(Object.create(run) as Run, {
    info: HALT_INFO,
    async next(): Promise<RunReport | null> {
      if (run.step === 2 && !asked) {
        asked = true;
        return {
          type: 'note',
          text: 'a rule fired',
          halt: 'pause',
          files: [{ path: 'early-stop/genotype.json', data: '{"offered":true}\n' }],
        };
      }
      return run.next();
    },
  });
}

const HALT_KIND: RunKind = {
  info: HALT_INFO,
  create: async (settings: Settings, env) => halting(await TOY_KIND.create(settings, env)),
  resume: async (bytes, env) => halting(await TOY_KIND.resume(bytes, env)),
};

let unregister: () => void = () => undefined;
beforeAll(() => {
  unregister = registerRunKind({ info: HALT_INFO, load: async () => HALT_KIND });
});
afterAll(() => unregister());

describe('a run asking to pause', () => {
  it('is paused by the lab session after its note, and goes on when resumed', async () => {
    const messages: FromWorker[] = [];
    const noFiles: () => FileSource = () => ({
      read: async () => {
        throw new Error('no files');
      },
    });
    const session = new LabSession({
      post: (m) => messages.push(m),
      dataSource: noFiles,
      autosaves: null,
    });
    const until = async (predicate: () => boolean) => {
      const t0 = Date.now();
      while (!predicate()) {
        if (Date.now() - t0 > 20_000) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const status = (s: string) => messages.some((m) => m.type === 'status' && m.status === s);
    const reports = () => messages.flatMap((m) => (m.type === 'report' ? [m.report] : []));
    await session.handle({
      type: 'startRun',
      kind: 'toy-halt',
      settings: { ...defaultSettings(TOY_SCHEMA), steps: 5 },
      backend: 'cpu',
      dataUrl: 'http://lab.test/data/',
    } as StartRunMessage);
    await until(() => status('paused'));
    await new Promise((r) => setTimeout(r, 100));
    const kinds = reports().map((r) => (r.type === 'step' ? `step ${r.step}` : r.type));
    expect(kinds).toEqual(['step 1', 'step 2', 'note']);
    const note = reports().at(-1);
    expect(note?.type === 'note' && note.files?.[0]?.path).toBe('early-stop/genotype.json');
    await session.handle({ type: 'resume' });
    await until(() => status('done'));
    expect(reports().filter((r) => r.type === 'step')).toHaveLength(5);
  });

  it('ends the command line with the note written, its files and a checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-halt-'));
    let err = '';
    const code = await main(
      ['search', '--algorithm', 'toy-halt', '--backend', 'cpu', '--steps', '5', '--out', out],
      { out: () => undefined, err: (t) => (err += t) },
    );
    expect(code).toBe(0);
    expect(err).toContain('a rule fired');
    expect(err).toContain(
      `paused at step 2: go on with --resume ${join(out, 'checkpoint.naslab')}`,
    );
    expect(readdirSync(out).sort()).toEqual([
      'checkpoint.naslab',
      'early-stop',
      'log.jsonl',
      'toy.txt',
    ]);
    expect(readFileSync(join(out, 'early-stop', 'genotype.json'), 'utf8')).toBe(
      '{"offered":true}\n',
    );
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(log.at(-1) as string)).toMatchObject({
      type: 'note',
      halt: 'pause',
      files: ['early-stop/genotype.json'],
    });
  });
});
