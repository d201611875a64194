/**
 * The settings schema's generic functions, on the toy kind's schema: defaults per preset, values
 * read from command-line or URL text (ranges, link limits, aliases, lists), whole-object
 * validation as a worker or a checkpoint applies it, and the keys a link writes.
 */
import { describe, expect, it } from 'vitest';
import {
  changedKeys,
  defaultSettings,
  fieldFlag,
  fieldProblem,
  parseFieldText,
  validateSettings,
} from '../../src/nas/runKind/settingsSchema';
import type { FieldSpec } from '../../src/nas/runKind/settingsSchema';
import { TOY_SCHEMA } from '../support/toyRunKind';

const field = (key: string): FieldSpec => {
  const f = TOY_SCHEMA.fields.find((x) => x.key === key);
  if (!f) throw new Error(key);
  return f;
};

describe('settings schema', () => {
  it('gives each preset its defaults, the first preset by default', () => {
    expect(defaultSettings(TOY_SCHEMA)).toEqual({
      steps: 3,
      startLoss: 8,
      rate: 0.5,
      flavour: 'plain',
      shapes: ['circle', 'square'],
      loud: false,
    });
    expect(defaultSettings(TOY_SCHEMA, 'big').steps).toBe(50);
    expect(() => defaultSettings(TOY_SCHEMA, 'huge')).toThrow(
      'unknown preset "huge": use small, big',
    );
  });

  it('names flags in kebab-case unless a field names its own', () => {
    expect(fieldFlag(field('startLoss'))).toBe('start-loss');
    expect(fieldFlag({ ...field('steps'), flag: 'max-steps' } as FieldSpec)).toBe('max-steps');
  });

  it('reads values from text with their range, link limit, aliases and list rules', () => {
    expect(parseFieldText(field('steps'), '7')).toEqual({ value: 7 });
    expect(parseFieldText(field('steps'), '2.5')).toEqual({ problem: 'is not an integer' });
    expect(parseFieldText(field('steps'), '0')).toEqual({ problem: 'is below 1' });
    expect(parseFieldText(field('steps'), '500')).toEqual({ value: 500 });
    expect(parseFieldText(field('steps'), '500', 'link')).toEqual({
      problem: 'is above the link limit of 100',
    });
    expect(parseFieldText(field('steps'), 'x')).toEqual({ problem: 'is not a number' });
    expect(parseFieldText(field('steps'), ' ')).toEqual({ problem: 'is not a number' });
    expect(parseFieldText(field('flavour'), 'hot')).toEqual({ value: 'spicy' });
    expect(parseFieldText(field('flavour'), 'mild')).toEqual({
      problem: 'is not one of plain, spicy',
    });
    expect(parseFieldText(field('shapes'), 'star, circle')).toEqual({ value: ['star', 'circle'] });
    expect(parseFieldText(field('shapes'), 'star,blob')).toEqual({
      problem: 'names blob, not among circle, square, star',
    });
    expect(parseFieldText(field('shapes'), 'star,star')).toEqual({
      problem: 'names an item twice',
    });
    expect(parseFieldText(field('shapes'), ',')).toEqual({ problem: 'names fewer than 1 item(s)' });
    expect(parseFieldText(field('loud'), 'true')).toEqual({ value: true });
    expect(parseFieldText(field('loud'), 'yes')).toEqual({ problem: 'is not true or false' });
  });

  it('checks values of any type, as a worker receives them', () => {
    expect(fieldProblem(field('rate'), '0.5')).toBe('is not a number');
    expect(fieldProblem(field('rate'), Number.NaN)).toBe('is not a number');
    expect(fieldProblem(field('rate'), 2)).toBe('is above 1');
    expect(fieldProblem(field('loud'), 1)).toBe('is not true or false');
    expect(fieldProblem(field('shapes'), 'circle')).toBe('is not a list of names');
  });

  it('validates a whole object: missing, wrong and unknown keys, then the cross-field check', () => {
    const good = defaultSettings(TOY_SCHEMA);
    expect(validateSettings(TOY_SCHEMA, good)).toEqual(good);
    const { rate: _rate, ...missing } = good;
    expect(() => validateSettings(TOY_SCHEMA, { ...missing, steps: -1, colour: 'red' })).toThrow(
      'invalid settings: steps is below 1; rate is missing; colour is not a setting of this kind',
    );
    expect(() => validateSettings(TOY_SCHEMA, { ...good, steps: 13 })).toThrow(
      'invalid settings: steps must not be 13',
    );
    expect(() => validateSettings(TOY_SCHEMA, null, 'toy settings')).toThrow(
      'the toy settings are not an object',
    );
  });

  it('lists the keys that differ, lists compared by their items', () => {
    const base = defaultSettings(TOY_SCHEMA);
    expect(changedKeys(TOY_SCHEMA, base, { ...base, shapes: ['circle', 'square'] })).toEqual([]);
    expect(changedKeys(TOY_SCHEMA, base, { ...base, shapes: ['square'], rate: 0.1 })).toEqual([
      'rate',
      'shapes',
    ]);
  });
});
