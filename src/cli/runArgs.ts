/**
 * `nas-lab search|retrain`'s command line for every registered kind: the selector flags (or the
 * checkpoint `--resume` names) pick the kind, whose schema gives its flags; node's strict
 * `parseArgs` reads them with the host flags; the settings start from the preset's defaults and
 * are validated whole. A flag of another kind of the command is refused naming that kind.
 */
import { parseArgs } from 'node:util';
import type { RunKindEntry } from '../nas/runKind/registry';
import { runKindForCheckpoint, runKinds, selectRunKind } from '../nas/runKind/registry';
import type { RunCommand, RunKindInfo } from '../nas/runKind/runKind';
import type { Settings } from '../nas/runKind/settingsSchema';
import type { HostSettings } from './hostFlags';
import {
  HOST_OPTIONS,
  hostSettings,
  MAX_CHECKPOINT_FILE_BYTES,
  readLimitedFile,
  RESUME_FLAGS,
} from './hostFlags';
import { cliFields, flagsOf, kindOptions, settingsFromFlags } from './kindFlags';
import type { Selection } from './kindSelection';
import { readSelection, selectorFlags } from './kindSelection';
import type { KindLine } from './kindUsage';
import { kindUsage } from './kindUsage';

export interface RunRequest {
  readonly entry: RunKindEntry;
  /** New settings, or the bytes of the checkpoint to continue (host.resume names its file). */
  readonly start: { readonly settings: Settings } | { readonly checkpoint: Uint8Array };
  readonly host: HostSettings;
}

export type ParsedRun = RunRequest | { readonly help: string };

/** The kind a checkpoint file is of (the file decides), and its bytes. */
function checkpointKind(
  command: RunCommand,
  path: string,
): { entry: RunKindEntry; bytes: Uint8Array } {
  const bytes = readLimitedFile('resume', path, MAX_CHECKPOINT_FILE_BYTES);
  let entry: RunKindEntry;
  try {
    entry = runKindForCheckpoint(bytes);
  } catch (e) {
    throw new Error(`--resume ${path}: ${(e as Error).message}`);
  }
  if (entry.info.command !== command) {
    throw new Error(
      `--resume ${path} is a checkpoint of a ${entry.info.title}: continue it with nas-lab ${entry.info.command} --resume`,
    );
  }
  return { entry, bytes };
}

/** Refuses, before the file is read, every flag but the host's on a resume. */
function refuseSettingsOnResume(command: RunCommand, selection: Selection): void {
  const allowed = new Set<string>([...RESUME_FLAGS, 'resume', 'space', 'algorithm', 'help']);
  const given = selection.flags.filter((f) => !allowed.has(f));
  if (given.length > 0) {
    throw new Error(
      `--resume takes the ${command} settings and data from the checkpoint; drop ${given.map((f) => `--${f}`).join(', ')} (a resumed run takes only ${RESUME_FLAGS.map((f) => `--${f}`).join(', ')})`,
    );
  }
}

const named = (info: RunKindInfo): string => `${info.title} (${selectorFlags(info.select)})`;

/** Refuses, by name, a flag this kind lacks that another kind of the command has. */
function refuseForeignFlags(
  info: RunKindInfo,
  argv: readonly string[],
  known: ReadonlySet<string>,
): void {
  const { tokens } = parseArgs({
    args: [...argv],
    options: {},
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option' || known.has(token.name)) continue;
    const owners = runKinds().filter(
      (e) =>
        e.info.command === info.command &&
        cliFields(e.info).some((f) => flagsOf(f).includes(token.name)),
    );
    if (owners.length > 0) {
      throw new Error(
        `--${token.name} is not a flag of ${named(info)}: it is one of ${owners.map((o) => named(o.info)).join(', ')}`,
      );
    }
  }
}

/**
 * The run a `nas-lab search|retrain` command line asks for, or its usage for --help. `others`
 * lists the command's kinds for the usage text.
 */
export function parseRunArgs(
  command: RunCommand,
  argv: readonly string[],
  others: readonly KindLine[],
): ParsedRun {
  const selection = readSelection(argv);
  const resuming = selection.resume !== undefined && !selection.help;
  if (resuming) refuseSettingsOnResume(command, selection);
  const resumed =
    resuming && selection.resume !== undefined
      ? checkpointKind(command, selection.resume)
      : undefined;
  const entry = resumed?.entry ?? selectRunKind(command, selection.select);
  const { info } = entry;
  const options = { ...HOST_OPTIONS, ...kindOptions(info, Object.keys(HOST_OPTIONS)) };
  refuseForeignFlags(info, argv, new Set(Object.keys(options)));
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  if (values.help === true) return { help: kindUsage(info, others) };
  const host = hostSettings(values, info);
  if (resumed) return { entry, start: { checkpoint: resumed.bytes }, host };
  return { entry, start: { settings: settingsFromFlags(info, values) }, host };
}
