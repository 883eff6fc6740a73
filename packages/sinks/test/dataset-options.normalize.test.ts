/**
 * normalizeDatasetOptions() (dataset-options.ts) is the one place the sink's options are checked
 * and defaulted; a bad value names the option before anything is written.
 */
import { InvalidOptionError } from '@omnidim-stream/core';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { describe, expect, it } from 'vitest';
import { normalizeDatasetOptions, partExtension } from '../src/dataset-options.js';

describe('normalizeDatasetOptions', () => {
  it('applies the documented defaults', () => {
    const o = normalizeDatasetOptions({ out: '/lake', now: () => new Date('2024-05-01T12:34:56.789Z') });
    expect(o.format).toBe('parquet');
    expect(o.compression).toBe('zstd');
    expect(o.mode).toBe('overwrite');
    expect(o.tables).toEqual([...TABLE_NAMES]);
    expect(o.rowsPerFile).toBe(1_000_000);
    expect(o.bytesPerFile).toBe(128 * 1024 * 1024);
    expect(o.partitionBy).toBe('month');
    expect(o.maxFiles).toBe(100_000);
    expect(o.formulaGuard).toBe(false);
    expect(o.runId).toMatch(/^20240501T123456Z-[0-9a-f]{6}$/);
    expect(partExtension(o)).toBe('parquet');
  });

  it('defaults text formats to no compression and names gzip files .gz', () => {
    expect(normalizeDatasetOptions({ out: '/lake', format: 'csv' }).compression).toBe('none');
    const gz = normalizeDatasetOptions({
      out: '/lake',
      format: 'ndjson',
      compression: 'gzip',
      tables: ['calls', 'calls'],
    });
    expect(partExtension(gz)).toBe('ndjson.gz');
    expect(gz.tables).toEqual(['calls']);
  });

  it.each([
    [{ out: '' }, 'out'],
    [{ out: '/lake', format: 'xlsx' }, 'format'],
    [{ out: '/lake', format: 'csv', compression: 'snappy' }, 'compression'],
    [{ out: '/lake', tables: [] }, 'tables'],
    [{ out: '/lake', runId: '../x' }, 'runId'],
    [{ out: '/lake', rowsPerFile: 0 }, 'rowsPerFile'],
    [{ out: '/lake', resume: 'yes' }, 'resume'],
    [{ out: '/lake', onCommitStep: 1 }, 'onCommitStep'],
  ])('refuses %o naming %s', (options, option) => {
    let error: unknown;
    try {
      normalizeDatasetOptions(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
  });
});
