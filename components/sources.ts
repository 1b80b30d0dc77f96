/**
 * One colour and one line style per source, everywhere: Okabe–Ito colours (distinguishable with
 * the common colour-vision deficiencies) and a dash pattern, so the lines differ in grey too.
 */
const PALETTE: Record<string, { color: string; dash: string; css: string }> = {
  live: { color: '#D55E00', dash: '', css: 'solid' },
  test: { color: '#0072B2', dash: '6 3', css: 'dashed' },
  train: { color: '#009E73', dash: '2 2', css: 'dotted' },
};
const EXTRA = ['#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export function sourceStyle(name: string, index = 0): { color: string; dash: string; css: string } {
  return PALETTE[name] ?? { color: EXTRA[index % EXTRA.length], dash: '8 2 2 2', css: 'dashed' };
}
