/**
 * What the command line gives a run kind to run in: its data from folders on disk. A kind asks
 * for a dataset by name; the folder is the one the kind names, else --data-dir, else the
 * dataset's own (the embedded Fashion-MNIST subset, Debian's Fashion-MNIST package, the built-in
 * text), else an error saying which files --data-dir must hold.
 */
import { isDatasetKind } from '../data/catalog';
import { BUILTIN_TEXT_FOLDER } from '../data/builtinText';
import type { DataRequest, RunEnv } from '../nas/runKind/runKind';
import { BUILTIN_TEXT_DIR, dataDirFor, folderSource } from './folderSource';

/** Datasets besides the image ones that have a folder of their own. */
const OWN_FOLDERS: Readonly<Record<string, string>> = {
  'builtin-text': BUILTIN_TEXT_DIR,
  [BUILTIN_TEXT_FOLDER]: BUILTIN_TEXT_DIR,
};

/** The folder a request's files are read from. */
export function datasetFolder(request: DataRequest, dataDir: string | undefined): string {
  const dir = request.dir ?? dataDir;
  if (dir !== undefined) return dir;
  const own = OWN_FOLDERS[request.dataset];
  if (own !== undefined) return own;
  if (isDatasetKind(request.dataset)) return dataDirFor(request.dataset, undefined);
  throw new Error(`--dataset ${request.dataset} needs --data-dir PATH, a folder with its files`);
}

/**
 * The run's environment on the command line. A folder the user named goes with its `origin`
 * (what a kind reports it read, and that it is not the built-in copy); the dataset's own folder
 * goes without, as the built-in copy it is.
 */
export function cliRunEnv(dataDir: string | undefined): RunEnv {
  return {
    host: 'cli',
    files: (request) => {
      const source = folderSource(datasetFolder(request, dataDir));
      const named = request.dir ?? dataDir;
      return named === undefined ? source : { ...source, origin: { builtin: false, name: named } };
    },
  };
}
