/**
 * Main-thread tasks of a page, from a Chromium trace (CDP Tracing): each task's wall time and
 * the CPU time its thread actually ran. On a loaded machine (SwiftShader runs WebGPU on the
 * same CPU cores) the wall time of a short task stretches while the OS runs other threads; the
 * thread time is what the page's own code cost.
 */
import type { CDPSession, Page } from 'playwright-core';

export interface MainThreadTask {
  /** Start, ms on the trace clock. */
  readonly start: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

interface TraceEvent {
  readonly name: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

export interface TaskRecorder {
  stop(): Promise<MainThreadTask[]>;
}

export async function recordMainThreadTasks(page: Page): Promise<TaskRecorder> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    // The protocol types trace events loosely; they carry the fields of TraceEvent.
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline',
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const complete = new Promise<void>((resolve) => {
        cdp.once('Tracing.tracingComplete', () => resolve());
      });
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      const mains = events.filter(
        (e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
      );
      const isMain = (e: TraceEvent) => mains.some((m) => m.pid === e.pid && m.tid === e.tid);
      return events
        .filter((e) => e.name === 'RunTask' && e.dur !== undefined && isMain(e))
        .map((e) => ({
          start: e.ts / 1000,
          wallMs: (e.dur ?? 0) / 1000,
          cpuMs: (e.tdur ?? 0) / 1000,
        }));
    },
  };
}
