/**
 * One search session: loads the data, builds the search state and drives the search loop one
 * step at a time under the page's commands. Independent of how messages travel, so the same
 * session runs in the worker and, for tests, in-thread.
 */
import { urlSource } from '../data/browserSources';
import type { FileSource } from '../data/catalog';
import { loadDataset } from '../data/catalog';
import type { ImageDataset } from '../data/dataset';
import type { DeviceSplit } from '../data/deviceSplit';
import { toDevice } from '../data/deviceSplit';
import { resizeDataset } from '../data/resize';
import { dartsSearchSplit, firstImages } from '../data/searchSplit';
import { syntheticDataset } from '../data/synthetic';
import { genotypeToJson } from '../nas/genotype';
import type { RateOverrides, SearchEvent } from '../nas/searchLoop';
import { runSearch } from '../nas/searchLoop';
import { validateSearchConfig } from '../nas/searchConfig';
import type { SearchState } from '../nas/searchState';
import { createSearchState, disposeSearchState } from '../nas/searchState';
import { checkInputSize } from '../nas/supernet';
import { selectBackend } from './backendChoice';
import type { FromWorker, LabConfig, LabDataConfig, RunStatus, ToWorker } from './protocol';

export interface SessionHost {
  post(message: FromWorker): void;
  /** The embedded dataset's files, given the URL the page sent. */
  readonly dataSource: (dataUrl: string) => FileSource;
}

export const fetchDataSource = (dataUrl: string): FileSource => urlSource(dataUrl);

async function loadImages(
  data: LabDataConfig,
  source: () => FileSource,
  seed: number,
): Promise<ImageDataset> {
  if (!Number.isInteger(data.images) || data.images < 2) {
    throw new Error(`images must be an integer of at least 2, got ${data.images}`);
  }
  if (data.dataset === 'synthetic') {
    return syntheticDataset({ count: data.images, size: data.imageSize, seed });
  }
  const loaded = await loadDataset('default', source());
  return resizeDataset(firstImages(loaded.train, data.images), data.imageSize);
}

export class SearchSession {
  private status: RunStatus = 'idle';
  private generator: AsyncGenerator<SearchEvent, void, undefined> | null = null;
  private state: SearchState | null = null;
  private splits: DeviceSplit[] = [];
  private rates: RateOverrides = {};
  /** Steps still to run while paused (the Step command). */
  private pendingSteps = 0;
  private pumping = false;
  /** Pause asked for while a step was under way; takes effect at the step's end. */
  private pauseRequested = false;
  private lastStep = 0;

  constructor(private readonly host: SessionHost) {}

  async handle(message: ToWorker): Promise<void> {
    try {
      switch (message.type) {
        case 'start':
          await this.start(message.config, message.dataUrl);
          break;
        case 'pause':
          // A step under way finishes first: 'paused' is reported once no more steps will come.
          if (this.status === 'running') {
            if (this.pumping) this.pauseRequested = true;
            else this.setStatus('paused');
          }
          break;
        case 'resume':
          this.pauseRequested = false;
          if (this.status === 'paused') {
            this.setStatus('running');
            void this.pump();
          }
          break;
        case 'step':
          if (this.status === 'paused') {
            this.pendingSteps += 1;
            void this.pump();
          }
          break;
        case 'stop':
          await this.stop('stopped');
          break;
        case 'setRates':
          this.rates = {
            weightLr: message.weightLr ?? this.rates.weightLr,
            alphaLr: message.alphaLr ?? this.rates.alphaLr,
          };
          break;
      }
    } catch (e) {
      await this.fail(e);
    }
  }

  private setStatus(status: RunStatus): void {
    this.status = status;
    this.host.post({ type: 'status', status });
  }

  private async start(config: LabConfig, dataUrl: string): Promise<void> {
    await this.stop('idle');
    this.setStatus('loading');
    const search = validateSearchConfig(config.search);
    const selection = await selectBackend(config.backend);
    this.host.post({ type: 'backend', backend: selection.backend, reason: selection.reason });
    const images = await loadImages(config.data, () => this.host.dataSource(dataUrl), search.seed);
    checkInputSize(search.layers, images.height, images.width);
    const split = dartsSearchSplit(images, search.trainPortion);
    const train = toDevice(split.train);
    const val = toDevice(split.val);
    this.splits = [train, val];
    this.state = createSearchState(search, images);
    this.rates = {};
    this.generator = runSearch(this.state, { train, val }, { rates: () => this.rates });
    this.setStatus('running');
    void this.pump();
  }

  /** Pulls steps while running, or the requested single steps while paused. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (
        this.generator &&
        ((this.status === 'running' && !this.pauseRequested) ||
          (this.status === 'paused' && this.pendingSteps > 0))
      ) {
        const stepping = this.status === 'paused';
        const next = await this.generator.next();
        if (next.done) break;
        const event = next.value;
        if (event.type === 'step') {
          if (stepping) this.pendingSteps -= 1;
          this.lastStep = event.step;
          this.host.post({
            type: 'step',
            point: {
              step: event.step,
              epoch: event.epoch,
              totalSteps: event.totalSteps,
              trainLoss: event.trainLoss,
              trainAccuracy: event.trainAccuracy,
              valLoss: event.valLoss,
              weightLr: event.weightLr,
              imagesPerSecond: event.imagesPerSecond,
              elapsedMs: event.elapsedMs,
              alphaSoftmax: event.alphaSoftmax,
              genotype: genotypeToJson(event.genotype),
            },
          });
        } else if (event.type === 'epoch') {
          this.host.post({
            type: 'epoch',
            point: {
              epoch: event.epoch,
              step: this.lastStep,
              valLoss: event.valLoss,
              valAccuracy: event.valAccuracy,
            },
          });
        } else {
          await this.stop('done');
          return;
        }
        // Let queued commands (pause, stop) in between steps.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (e) {
      await this.fail(e);
    } finally {
      this.pumping = false;
      if (this.pauseRequested) {
        this.pauseRequested = false;
        if (this.status === 'running') this.setStatus('paused');
      }
    }
  }

  private async stop(status: RunStatus): Promise<void> {
    const generator = this.generator;
    this.generator = null;
    this.pendingSteps = 0;
    this.pauseRequested = false;
    if (generator) await generator.return(undefined);
    if (this.state) disposeSearchState(this.state);
    this.state = null;
    for (const s of this.splits) s.dispose();
    this.splits = [];
    if (status !== 'idle' || this.status !== 'idle') this.setStatus(status);
  }

  private async fail(e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    try {
      await this.stop('failed');
    } catch {
      // The device may be gone; the message below is what matters.
    }
    this.host.post({ type: 'error', message });
  }
}
