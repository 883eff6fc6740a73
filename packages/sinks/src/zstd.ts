/**
 * The ZSTD compressor of Parquet pages. hyparquet-writer 0.17 ships only snappy and takes any
 * other codec as a function; Node has `zlib.zstdCompressSync` from 22.15 on, and on older Nodes
 * (this package supports ≥ 20.19) the pinned `@bokuweb/zstd-wasm` (MIT, no dependencies, the
 * reference C library compiled to WebAssembly) does the same job. Its module must be initialised
 * asynchronously once, hence {@link loadZstdCompressor}.
 */
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';

/** Compresses one page into one ZSTD frame. */
export type ZstdCompressor = (input: Uint8Array) => Uint8Array;

/**
 * Level 3: zstd's own default and parquet-java's (`parquet.compression.codec.zstd.level`), the
 * one the bench measured (bench/parquet-codecs.ts).
 */
export const ZSTD_LEVEL = 3;

interface ZlibWithZstd {
  zstdCompressSync?: (input: Uint8Array, options?: { params?: Record<number, number> }) => Buffer;
  zstdDecompressSync?: (input: Uint8Array) => Buffer;
  constants: Record<string, number>;
}

interface ZstdWasm {
  init: () => Promise<void>;
  compress: (input: Uint8Array, level?: number) => Uint8Array;
  decompress: (input: Uint8Array) => Uint8Array;
}

/** Decompresses one ZSTD frame (a Parquet page read back by merge-on-write and `compact`). */
export type ZstdDecompressor = (input: Uint8Array) => Uint8Array;

let loading: Promise<ZstdCompressor> | undefined;

/**
 * The ZSTD compressor of this runtime: node:zlib's where it exists, else the WebAssembly one
 * (initialised on the first call; later calls share it).
 *
 * @example
 * const compress = await loadZstdCompressor();
 * const frame = compress(new TextEncoder().encode('hello'));
 */
export function loadZstdCompressor(): Promise<ZstdCompressor> {
  loading ??= load();
  return loading;
}

async function load(): Promise<ZstdCompressor> {
  const z = zlib as unknown as ZlibWithZstd;
  const native = z.zstdCompressSync;
  if (typeof native === 'function') {
    const params = { [z.constants['ZSTD_c_compressionLevel']!]: ZSTD_LEVEL };
    return (input) => native(input, { params });
  }
  // CommonJS package: require() gives its named exports without relying on ESM interop sniffing.
  const wasm = createRequire(import.meta.url)('@bokuweb/zstd-wasm') as ZstdWasm;
  await wasm.init();
  return (input) => wasm.compress(input, ZSTD_LEVEL);
}

let loadingDecompressor: Promise<ZstdDecompressor> | undefined;

/**
 * The ZSTD decompressor of this runtime, for reading the lake's own Parquet files back
 * (lake-rows.ts): node:zlib's where it exists, else the same WebAssembly module as the
 * compressor, initialised once through {@link loadZstdCompressor} (a second `init()` would reset
 * its memory under a writer that is compressing).
 *
 * @example
 * const decompress = await loadZstdDecompressor();
 * const page = decompress(frame);
 */
export function loadZstdDecompressor(): Promise<ZstdDecompressor> {
  loadingDecompressor ??= loadDecompressor();
  return loadingDecompressor;
}

async function loadDecompressor(): Promise<ZstdDecompressor> {
  const native = (zlib as unknown as ZlibWithZstd).zstdDecompressSync;
  if (typeof native === 'function') return (input) => new Uint8Array(native(input));
  await loadZstdCompressor();
  const wasm = createRequire(import.meta.url)('@bokuweb/zstd-wasm') as ZstdWasm;
  return (input) => wasm.decompress(input);
}
