/**
 * Warms the page codec a dataset's writers will need, so its one-time cost is paid while the
 * process has nothing else to do (issue 21, goal 5: the CLI waits ~500 ms for page 1 at high
 * latency, then initialised the ZSTD WebAssembly module on the critical path, inside the first
 * Parquet writer). On Node 20 that is ~50 ms of main-thread CPU to instantiate it, plus V8's lazy
 * compilation of each WebAssembly function on its first call (the first compression took 18–80
 * ms, later ones a few). Nothing else is loaded: the format's module itself already is, by the
 * dataset's `open()` (dataset-writers.ts).
 */
import { type Compression, defaultCompression, type Format } from './formats.js';
import { loadZstdCompressor } from './zstd.js';

/** A page-sized sample of compressible, JSON-like bytes: reaches the codec's common paths. */
function sample(): Uint8Array {
  const text = '{"call_id":1234567,"speaker":"assistant","text":"Hello, how can I help you today?"}\n';
  return new TextEncoder().encode(text.repeat(800));
}

/**
 * Initialises and runs once the codec that `format`/`compression` writes with (only Parquet's
 * ZSTD has a cost worth hiding). Never rejects: a codec that cannot load fails the writer that
 * needs it, with that writer's error (parquet.ts), not this warm-up.
 *
 * @example
 * await warmUpWriterCodec({ format: 'parquet' }); // ZSTD, the Parquet default
 */
export async function warmUpWriterCodec(options: {
  format: Format;
  compression?: Compression | string | undefined;
}): Promise<void> {
  const compression = options.compression ?? defaultCompression(options.format);
  if (options.format !== 'parquet' || compression !== 'zstd') return;
  try {
    const compress = await loadZstdCompressor();
    compress(sample());
  } catch {
    // Reported by the writer that needs the codec.
  }
}
