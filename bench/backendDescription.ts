/**
 * A one-line description of the device behind the current tfjs backend: the WebGPU adapter's
 * vendor and architecture (SwiftShader on a machine without a GPU), the WebGL renderer, the wasm
 * backend's SIMD and threads, or the plain-JavaScript cpu backend. Works in Node and in a page.
 */
import * as tf from '../src/nas/tensor/tf';

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<{ info?: AdapterInfoLike } | null>;
}

async function webgpuAdapter(): Promise<string> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return 'WebGPU (no navigator.gpu)';
  const adapter =
    (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ forceFallbackAdapter: true }));
  const info = adapter?.info;
  if (!info) return 'WebGPU (adapter without info)';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  return `WebGPU adapter: ${parts.join(', ') || 'unnamed'}`;
}

interface WebglBackendLike {
  readonly gpgpu?: { readonly gl?: WebGLRenderingContext | WebGL2RenderingContext };
}

function webglRenderer(): string {
  const gl = (tf.backend() as unknown as WebglBackendLike).gpgpu?.gl;
  if (!gl) return 'WebGL (no context)';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as string;
  const version = gl.getParameter(gl.VERSION) as string;
  return `${version}, renderer: ${renderer}`;
}

async function wasmDescription(): Promise<string> {
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = getThreadsCount();
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return (
    `tfjs wasm backend (XNNPACK${simd ? ', SIMD' : ''}), ${threads} thread(s)` +
    (isolated === undefined ? '' : `, cross-origin isolated: ${isolated}`) +
    ', with the core training kernels'
  );
}

export async function describeBackend(): Promise<string> {
  const name = tf.getBackend();
  if (name === 'webgpu') return webgpuAdapter();
  if (name === 'webgl') return webglRenderer();
  if (name === 'cpu') return 'tfjs cpu backend (plain JavaScript, one thread)';
  if (name === 'wasm') return wasmDescription();
  return `tfjs backend ${name}`;
}
