/**
 * The line under the preset picker: it names the preset the settings are, with the schema's
 * note on it (where the default departs from the paper's recipe), and names the settings
 * changed by hand as changes to the closest preset.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { runKindById } from '../../src/nas/runKind/registry';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';
import { PresetNote } from '../../src/ui/settings/PresetNote';
import { labDefaults } from '../../src/ui/settings/labSettings';

const darts = runKindById('darts').info;
const note = (settings: Parameters<typeof PresetNote>[0]['settings']) =>
  renderToStaticMarkup(createElement(PresetNote, { info: darts, settings }));

describe('the preset note', () => {
  it('says the lab’s default search is not the paper’s recipe, and the paper preset is', () => {
    expect(note(labDefaults(darts))).toMatch(
      /Preset “small”: the default: .*not the paper’s recipe/,
    );
    expect(note(defaultSettings(darts.schema, 'paper'))).toMatch(
      /Preset “paper”: the official CIFAR-10 search \(cnn\/train_search.py\), exact/,
    );
  });

  it('names the settings changed from the closest preset', () => {
    const demo = defaultSettings(darts.schema, 'demo');
    expect(note({ ...demo, epochs: 40 })).toContain('Preset “demo” with 1 change (epochs)');
    expect(note({ ...labDefaults(darts), seed: 4, order: 2 })).toContain(
      'Preset “small” with 2 changes (order, seed)',
    );
  });
});
