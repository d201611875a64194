/**
 * The README.txt of a PyTorch export: what the files are, the few lines that load them into the
 * official DARTS code (github.com/quark0/darts, `cnn/`), and what the user must know about this
 * model (its images and normalisation, where the official network differs for its sizes).
 */
import type { TrainedModelManifest } from '../retrain/trainedModelManifest';

function sizeNotes(m: TrainedModelManifest, network: string): string[] {
  const notes: string[] = [];
  const { height, width, channels } = m.data;
  if (channels !== 3) {
    const line = network === 'NetworkCIFAR' ? 'model.py line 121' : 'model.py line 167';
    notes.push(
      `- The images have ${channels} channel${channels === 1 ? '' : 's'}; the official stem takes 3. Change the`,
      `  first Conv2d's in_channels from 3 to ${channels} (${line}) before loading, or the`,
      `  stem's weight will not fit.`,
    );
  }
  if (m.config.auxiliary && network === 'NetworkCIFAR' && (height !== 32 || width !== 32)) {
    notes.push(
      `- The auxiliary head's weights load, but the official head pools with a fixed 5x5 window,`,
      `  stride 3, made for 32x32 images; on ${height}x${width} images it must pool to 2x2 to train.`,
    );
  }
  if (network === 'NetworkImageNet' && (height !== 224 || width !== 224)) {
    notes.push(
      `- NetworkImageNet ends with AvgPool2d(7), global pooling only on 224x224 images; the model`,
      `  was trained on ${height}x${width} with global average pooling: use nn.AdaptiveAvgPool2d(1).`,
    );
  }
  return notes;
}

function normalizationText(m: TrainedModelManifest): string {
  if (!m.normalization) return 'the images were not normalised with known statistics';
  const list = (v: readonly number[]) => `[${v.join(', ')}]`;
  return `transforms.Normalize(${list(m.normalization.mean)}, ${list(m.normalization.std)}) after ToTensor()`;
}

export function exportReadme(m: TrainedModelManifest, network: string): string {
  const { channels, layers, auxiliary } = m.config;
  const { height, width, numClasses } = m.data;
  const args = `${channels}, ${numClasses}, ${layers}, ${auxiliary ? 'True' : 'False'}, genotype`;
  return [
    'A NAS Lab trained model for PyTorch',
    '',
    `model.safetensors  the state_dict() of DARTS's ${network} (cnn/model.py), float32`,
    '                   (num_batches_tracked: int64, unknown, written as 0)',
    'genotype.txt       the cells, as DARTS writes a genotype (genotype = Genotype(...))',
    '',
    m.training.epochs === 0
      ? `For ${height}x${width}x${m.data.channels} images in ${numClasses} classes; its training is not recorded.`
      : `Trained ${m.training.epochs} epoch${m.training.epochs === 1 ? '' : 's'} on ${height}x${width}x${m.data.channels} images in ${numClasses} classes; test accuracy then ${(m.training.testAccuracy * 100).toFixed(2)}%.`,
    `Inputs: ${normalizationText(m)}.`,
    '',
    'Load it into the official code (git clone https://github.com/quark0/darts; cd darts/cnn),',
    'with the safetensors package (pip install safetensors) or the reader in NAS Lab docs/PYTORCH.md:',
    '',
    '  import torch',
    '  from safetensors.torch import load_file',
    '  from genotypes import Genotype',
    `  from model import ${network}`,
    "  exec(open('genotype.txt').read())  # defines genotype",
    `  model = ${network}(${args})`,
    "  model.load_state_dict(load_file('model.safetensors'), strict=True)",
    '  model.drop_path_prob = 0.0',
    '  model.eval()  # model(images) returns (logits, logits_aux)',
    '',
    `To continue training there (train.py: --init_channels ${channels} --layers ${layers}${auxiliary ? ' --auxiliary' : ''}),`,
    'on one or many GPUs, see NAS Lab docs/PYTORCH.md and scripts/pytorch/train_ddp.py.',
    ...(sizeNotes(m, network).length > 0 ? ['', 'Notes:', ...sizeNotes(m, network)] : []),
    '',
  ].join('\n');
}
