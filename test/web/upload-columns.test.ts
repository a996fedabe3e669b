import { describe, expect, it } from 'vitest';
import { columnSettings, labelCandidates, uploadSummary } from '../../web/src/ui/upload-columns.js';

const WINE = ['alcohol', 'malic_acid', 'ash', 'alcalinity_of_ash', 'magnesium', 'total_phenols', 'flavanoids', 'nonflavanoid_phenols', 'proanthocyanins', 'color_intensity', 'hue', 'od280', 'proline'];
const upload = { rows: 178, columns: 13, label: 'cultivar', metadata: ['name', 'vintage'], featureNames: WINE };

describe('an uploaded file’s columns in the New-run form', () => {
  it('says features and other columns apart, naming the others (16 columns are not "14 columns")', () => {
    expect(uploadSummary(upload)).toBe('178 rows; 13 feature columns, 3 others (cultivar, name, vintage); labels from “cultivar”');
    expect(uploadSummary({ rows: 70000, columns: 784, label: null, metadata: [] })).toBe('70,000 rows; 784 feature columns; no label column found');
  });

  it('offers the guessed label first, then the other columns, then the features', () => {
    expect(labelCandidates(upload)).toEqual(['cultivar', 'name', 'vintage', ...WINE]);
  });

  it('sends labelColumn only when it differs from the guess, exclude only when something is left out', () => {
    expect(columnSettings(upload, 'cultivar', [])).toEqual({});
    expect(columnSettings(upload, 'name', ['ash', 'hue'])).toEqual({ labelColumn: 'name', exclude: ['ash', 'hue'] });
    // a feature taken as the label is not also excluded
    expect(columnSettings(upload, 'proline', ['proline', 'ash'])).toEqual({ labelColumn: 'proline', exclude: ['ash'] });
  });
});
