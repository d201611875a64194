/**
 * The generated settings form (src/ui/settings/) for a kind registered by this test only, the
 * toy kind: every field becomes its control with its label, range, choices and guidance, by
 * group, with no line of form code for it; while it runs only its live field can change; a
 * change reaches the caller typed; a problem its schema's check names shows next to its field;
 * and its settings round-trip through the page's link.
 */
import type { ReactElement, ReactNode } from 'react';
import { createElement, isValidElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRunKind, registerRunKind } from '../../src/nas/runKind/registry';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import type { SettingValue, Settings } from '../../src/nas/runKind/settingsSchema';
import { FieldControl } from '../../src/ui/settings/FieldControl';
import {
  labDefaults,
  liveChanges,
  readLabLink,
  settingsProblems,
  writeLabLink,
} from '../../src/ui/settings/labSettings';
import type { SettingsFormProps } from '../../src/ui/settings/SettingsForm';
import { SettingsForm } from '../../src/ui/settings/SettingsForm';
import { TOY_ENTRY } from '../support/toyRunKind';

let unregister: () => void = () => undefined;
let toy: RunKindInfo;
beforeAll(() => {
  unregister = registerRunKind(TOY_ENTRY);
  const entry = findRunKind('toy');
  if (!entry) throw new Error('the toy kind is not registered');
  toy = entry.info;
});
afterAll(() => unregister());

const props = (patch: Partial<SettingsFormProps> = {}): SettingsFormProps => {
  const settings = labDefaults(toy);
  return {
    info: toy,
    settings,
    problems: settingsProblems(toy, settings),
    onChange: () => undefined,
    onPreset: () => undefined,
    namePrefix: 'toy-',
    disabled: false,
    running: false,
    ...patch,
  };
};

const html = (patch: Partial<SettingsFormProps> = {}) =>
  renderToStaticMarkup(createElement(SettingsForm, props(patch)));

/** The opening tag of the element with this name attribute. */
const tagNamed = (markup: string, name: string): string =>
  new RegExp(`<[a-z]+[^>]*name="${name}"[^>]*>`).exec(markup)?.[0] ?? '';

/** The attributes of the element with this name attribute. */
const attrsNamed = (markup: string, name: string): Record<string, string> => {
  const tag = tagNamed(markup, name);
  return Object.fromEntries([...tag.matchAll(/ ([a-zA-Z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
};

/** Every element under `node`, function components called (the form's have no hooks). */
function elements(node: ReactNode): ReactElement<Record<string, unknown>>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!isValidElement<Record<string, unknown>>(node)) return [];
  // A memo component holds the function it renders in `type`.
  const type = node.type as unknown as { type?: unknown };
  const component = typeof node.type === 'function' ? node.type : type.type;
  if (typeof component === 'function') {
    const render = component as (p: Record<string, unknown>) => ReactNode;
    return elements(render(node.props));
  }
  return [node, ...elements(node.props.children as ReactNode)];
}

describe('the generated settings form, for a kind only a test registers', () => {
  it('renders each field as its control, labelled, with its range, choices and guidance', () => {
    const markup = html();
    expect(attrsNamed(markup, 'toy-steps')).toMatchObject({
      type: 'number',
      min: '1',
      max: '1000',
      step: '1',
      value: '3',
    });
    expect(attrsNamed(markup, 'toy-rate')).toMatchObject({ step: 'any', value: '0.5' });
    expect(attrsNamed(markup, 'toy-start-loss').min).toBeUndefined();
    expect(attrsNamed(markup, 'toy-startLoss')).toMatchObject({ min: '0', value: '8' });
    expect(tagNamed(markup, 'toy-flavour')).toMatch(/^<select/);
    expect(markup).toContain('<option value="plain" selected="">plain</option>');
    expect(tagNamed(markup, 'toy-loud')).toMatch(/type="checkbox"/);
    expect(tagNamed(markup, 'toy-loud')).not.toMatch(/checked/);
    expect(tagNamed(markup, 'toy-shapes-circle')).toMatch(/checked/);
    expect(tagNamed(markup, 'toy-shapes-star')).not.toMatch(/checked/);
    // Labels from the keys, in the groups' order, under their headings (a group's heading is
    // the summary that folds it).
    const labels = [
      ...markup.matchAll(/<(?:span|legend|summary)>([^<]+)<\/(?:span|legend|summary)>/g),
    ].map((m) => m[1]);
    expect(labels).toEqual([
      'Preset',
      'Network',
      'Shapes',
      'Search method',
      'Start loss',
      'Flavour',
      'Optimizer',
      'Rate',
      'Run',
      'Steps',
      'Loud',
    ]);
    // The guidance: help, and the default of each preset.
    expect(markup).toContain('title="steps to take\nDefault: small 3 · big 50"');
    expect(markup).toContain('<option value="big">big</option>');
  });

  it('lets only the live field change while the kind runs, and nothing while another runs', () => {
    const disabled = (markup: string) =>
      ['steps', 'startLoss', 'rate', 'flavour', 'loud'].filter((k) =>
        / disabled=""/.test(tagNamed(markup, `toy-${k}`)),
      );
    expect(disabled(html())).toEqual([]);
    expect(disabled(html({ running: true }))).toEqual(['steps', 'startLoss', 'flavour', 'loud']);
    expect(disabled(html({ disabled: true }))).toHaveLength(5);
    expect(liveChanges(toy, { rate: 0.25, steps: 9 })).toEqual({ rate: 0.25 });
    expect(liveChanges(toy, { rate: 2 })).toEqual({});
  });

  it('hands each change to the caller as a value of the field’s type', () => {
    const changes: [string, SettingValue][] = [];
    const all = elements(
      createElement(SettingsForm, props({ onChange: (k, v) => changes.push([k, v]) })),
    );
    const named = (name: string) => {
      const el = all.find((e) => e.props.name === name);
      if (!el) throw new Error(`no control ${name}`);
      return el.props as { onChange: (e: unknown) => void };
    };
    named('toy-steps').onChange({ target: { value: '7', valueAsNumber: 7 } });
    named('toy-steps').onChange({ target: { value: '', valueAsNumber: Number.NaN } });
    named('toy-flavour').onChange({ target: { value: 'spicy' } });
    named('toy-loud').onChange({ target: { checked: true } });
    named('toy-shapes-star').onChange({ target: { checked: true } });
    named('toy-shapes-circle').onChange({ target: { checked: false } });
    expect(changes).toEqual([
      ['steps', 7],
      ['steps', Number.NaN],
      ['flavour', 'spicy'],
      ['loud', true],
      ['shapes', ['circle', 'square', 'star']],
      ['shapes', ['square']],
    ]);
    let picked = '';
    const form = elements(createElement(SettingsForm, props({ onPreset: (p) => (picked = p) })));
    const preset = form.find((e) => e.props.name === 'toy-preset');
    (preset?.props as { onChange: (e: unknown) => void }).onChange({ target: { value: 'big' } });
    expect(picked).toBe('big');
  });

  it('shows a problem next to the field it names: its own range, or the schema’s check', () => {
    const bad: Settings = { ...labDefaults(toy), steps: 13 };
    const problems = settingsProblems(toy, bad);
    expect(problems).toEqual({
      byKey: { steps: ['steps must not be 13'] },
      general: [],
      all: ['steps must not be 13'],
    });
    const markup = html({ settings: bad, problems });
    expect(markup).toContain(
      '<p class="problem field-problem" id="toy-steps-problem" data-testid="toy-steps-problem">steps must not be 13</p>',
    );
    expect(tagNamed(markup, 'toy-steps')).toMatch(/aria-invalid="true"/);
    const range = settingsProblems(toy, { ...bad, rate: 2, shapes: [] });
    expect(range.byKey).toEqual({
      rate: ['rate is above 1'],
      shapes: ['shapes names fewer than 1 item(s)'],
    });
    // A field's own problems come first; the check runs once every field holds.
    expect(range.all).not.toContain('steps must not be 13');
  });

  it('round-trips its settings through the page’s link, against its lab defaults', () => {
    const settings = { ...labDefaults(toy), steps: 9, flavour: 'spicy', shapes: ['star'] };
    const query = writeLabLink({ kind: 'toy', settings, backend: 'wasm' });
    expect(query).toContain('steps=9&flavour=spicy&shapes=star&backend=wasm');
    expect(readLabLink(query)).toEqual({ kind: 'toy', settings, backend: 'wasm', ignored: [] });
  });

  it('renders a text field as an input, a long one as a text area', () => {
    const text = (maxLength: number) =>
      renderToStaticMarkup(
        createElement(FieldControl, {
          field: {
            key: 'note',
            type: 'text',
            maxLength,
            default: '',
            group: 'run',
            help: 'a note',
          },
          schema: toy.schema,
          value: 'hi',
          name: 'note',
          disabled: false,
          problems: [],
          onChange: () => undefined,
        }),
      );
    expect(attrsNamed(text(20), 'note')).toMatchObject({
      type: 'text',
      value: 'hi',
      maxLength: '20',
    });
    expect(text(5000)).toMatch(/<textarea [^>]*name="note"[^>]*>hi<\/textarea>/);
  });
});
