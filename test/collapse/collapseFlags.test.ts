/**
 * The collapse settings reach the command line and the lab's link through the DARTS schema
 * alone: `--hessian-every`, `--early-stop`, `--early-stop-action`, `--early-stop-start` parse
 * into the settings, a bad rule is refused by name, and the link writes and reads them back.
 */
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import { DARTS_SCHEMA } from '../../src/nas/darts/dartsKindInfo';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { runLinkFromQuery, runLinkToQuery } from '../../src/ui/runUrlState';

describe('collapse settings on the command line and in links', () => {
  it('parses the flags the schema generates', () => {
    const parsed = parseRunArgs(
      'search',
      [
        '--hessian-every',
        '5',
        '--early-stop',
        'rdarts',
        '--early-stop-action',
        'stop',
        '--early-stop-start',
        '3',
      ],
      [],
    );
    if (!('start' in parsed) || !('settings' in parsed.start)) throw new Error('not a new run');
    expect(parsed.entry.info.id).toBe('darts');
    expect(parsed.start.settings).toMatchObject({
      hessianEvery: 5,
      earlyStop: 'rdarts',
      earlyStopAction: 'stop',
      earlyStopStart: 3,
    });
  });

  it("refuses an unknown rule, and R-DARTS's rule without the eigenvalue", () => {
    expect(() => parseRunArgs('search', ['--early-stop', 'never'], [])).toThrow(/off, rdarts/);
    expect(() => parseRunArgs('search', ['--early-stop', 'rdarts'], [])).toThrow(
      /needs the eigenvalue: set --hessian-every above 0/,
    );
  });

  it('writes them into the link and reads them back', () => {
    const settings = {
      ...defaultSettings(DARTS_SCHEMA, 'demo'),
      hessianEvery: 4,
      earlyStop: 'skips',
    };
    const base = defaultSettings(DARTS_SCHEMA, 'demo');
    const query = runLinkToQuery(
      { kind: 'darts', settings, backend: 'auto' },
      { base: () => base },
    );
    expect(query).toContain('hessianEvery=4');
    expect(query).toContain('earlyStop=skips');
    const back = runLinkFromQuery(query, { base: () => base });
    expect(back.settings).toEqual(settings);
  });
});
