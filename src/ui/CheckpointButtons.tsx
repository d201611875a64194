/** Save the running search as a checkpoint file, or load one to resume it. */
import { memo, useState } from 'react';
import type { BackendChoice } from '../worker/protocol';
import { FileInput } from './inputs';

/** The largest checkpoint the page reads (the paper-size search is about 15 MB). */
const MAX_CHECKPOINT_BYTES = 1024 * 1024 * 1024;

interface Props {
  readonly canSave: boolean;
  readonly busy: boolean;
  readonly backend: BackendChoice;
  readonly onSave: () => void;
  readonly onLoad: (bytes: ArrayBuffer, backend: BackendChoice) => void;
}

export const CheckpointButtons = memo(function CheckpointButtons({
  canSave,
  busy,
  backend,
  onSave,
  onLoad,
}: Props) {
  const [problem, setProblem] = useState<string | null>(null);
  const load = async (file: File) => {
    setProblem(null);
    if (file.size > MAX_CHECKPOINT_BYTES) {
      setProblem(`${file.name} is larger than 1 GiB; it is not a checkpoint of this lab`);
      return;
    }
    onLoad(await file.arrayBuffer(), backend);
  };
  return (
    <div className="checkpoint-buttons">
      <button type="button" data-testid="save-checkpoint" disabled={!canSave} onClick={onSave}>
        Save checkpoint
      </button>
      <FileInput
        label="Load checkpoint"
        name="checkpoint-file"
        accept=".naslab"
        className="file-button"
        disabled={busy && !canSave}
        onFile={(file) => void load(file)}
      />
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
});
