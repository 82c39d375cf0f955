import { z } from 'zod/v4';
import { describe, expect, it } from 'vitest';
import { StepCatalog } from './catalog.js';
import { defaultCatalog } from './default-catalog.js';
import { DuplicateStepError, UnknownStepError } from './errors.js';
import type { StepDefinition } from './step.js';

function step(name: string, version: string): StepDefinition<{ v: string }> {
  return {
    name,
    version,
    optionsSchema: z.object({ v: z.string().default(version) }),
    async create() {
      return { inputs: [], outputs: [], run: (inputs) => inputs };
    },
  };
}

describe('StepCatalog', () => {
  it('holds the built-in steps by default', () => {
    expect(defaultCatalog().list().map((d) => d.name)).toEqual(['argmax-label', 'ctc-decode', 'normalize', 'ocr-boxes', 'ocr-crop-lines', 'ocr-detector-input', 'softmax', 'tokenize', 'top-k']);
  });

  it('answers the newest version, a major pin, or an exact version', () => {
    const catalog = new StepCatalog().register(step('scale', '1.2.0')).register(step('scale', '2.0.0')).register(step('scale', '1.10.0'));
    expect(catalog.get('scale').version).toBe('2.0.0');
    expect(catalog.get('scale@1').version).toBe('1.10.0');
    expect(catalog.get('scale@1.2.0').version).toBe('1.2.0');
    expect(catalog.has('scale@3')).toBe(false);
    expect(catalog.list().map((d) => d.version)).toEqual(['2.0.0', '1.10.0', '1.2.0']);
  });

  it('throws UnknownStepError naming what it holds', () => {
    const catalog = new StepCatalog().register(step('scale', '1.0.0'));
    expect(catalog.has('nope')).toBe(false);
    expect(() => catalog.get('nope')).toThrow(UnknownStepError);
    expect(() => catalog.get('nope')).toThrow(/unknown step 'nope'; the catalog holds: scale@1.0.0/);
    expect(() => catalog.get('scale@x')).toThrow(UnknownStepError);
  });

  it('refuses a duplicate and malformed names or versions', () => {
    const catalog = new StepCatalog().register(step('scale', '1.0.0'));
    expect(() => catalog.register(step('scale', '1.0.0'))).toThrow(DuplicateStepError);
    expect(() => catalog.register(step('Scale', '1.0.0'))).toThrow(TypeError);
    expect(() => catalog.register(step('scale', 'v1'))).toThrow(TypeError);
  });
});
