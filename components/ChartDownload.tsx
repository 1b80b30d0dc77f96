'use client';
import { useParams } from 'next/navigation';
import { useState, type RefObject } from 'react';

/**
 * "SVG" and "PNG" downloads of the chart inside `target` (its first recharts <svg>). The SVG is a
 * standalone copy with the computed styles that matter inlined, a white background and its size;
 * the PNG is that SVG drawn at 2× on a canvas. Files are named `<model>-<subject>-<chart>.svg|png`
 * (`model` defaults to the page's route parameter). No inline script: works under the page CSP
 * (the PNG path loads the SVG as a blob: image, which img-src allows).
 */
export function ChartDownload({ target, model, subject, chart }: { target: RefObject<HTMLElement | null>; model?: string; subject: string; chart: string }) {
  const params = useParams<{ model?: string }>();
  const [problem, setProblem] = useState<string | null>(null);
  const modelName = model ?? (params?.model ? decodeURIComponent(params.model) : 'chart');
  const base = [modelName, subject, chart].map(fileSafe).join('-');
  const run = async (kind: 'svg' | 'png') => {
    setProblem(null);
    try {
      const svg = target.current?.querySelector<SVGSVGElement>('svg.recharts-surface') ?? target.current?.querySelector<SVGSVGElement>('svg');
      if (!svg) throw new Error('no chart to download');
      const standalone = standaloneSvg(svg);
      const blob = kind === 'svg' ? new Blob([standalone.text], { type: 'image/svg+xml' }) : await svgToPng(standalone, 2);
      saveBlob(blob, `${base}.${kind}`);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <span className="chart-download" data-testid="chart-download">
      <button type="button" onClick={() => void run('svg')} data-testid="download-svg" title={`Download ${base}.svg`}>
        SVG
      </button>
      <button type="button" onClick={() => void run('png')} data-testid="download-png" title={`Download ${base}.png`}>
        PNG
      </button>
      {problem && <span className="error">{problem}</span>}
    </span>
  );
}

/** A file-name part: letters, digits, `.`, `_` and `-` kept, anything else a `_`. */
export function fileSafe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'chart';
}

/** The computed styles that decide how an SVG element looks (the rest come from its attributes). */
const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'visibility',
  'display',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
] as const;

/** A standalone copy of `svg`: xmlns, width/height/viewBox, computed styles inlined, a white background first. */
export function standaloneSvg(svg: SVGSVGElement): { text: string; width: number; height: number } {
  const box = svg.getBoundingClientRect();
  const width = Math.round(Number(svg.getAttribute('width')) || box.width) || 1;
  const height = Math.round(Number(svg.getAttribute('height')) || box.height) || 1;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [clone, ...clone.querySelectorAll('*')];
  originals.forEach((el, i) => {
    const copy = copies[i];
    if (!(copy instanceof Element)) return;
    const computed = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => [p, computed.getPropertyValue(p)] as const)
      .filter(([, v]) => v !== '')
      .map(([p, v]) => `${p}:${v}`)
      .join(';');
    const own = copy.getAttribute('style');
    copy.setAttribute('style', own ? `${style};${own}` : style);
  });
  const ns = 'http://www.w3.org/2000/svg';
  clone.setAttribute('xmlns', ns);
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clone.removeAttribute('class');
  // The page's cursor, tabindex and focus outline mean nothing in a file.
  clone.style.removeProperty('cursor');
  clone.removeAttribute('tabindex');
  const background = document.createElementNS(ns, 'rect');
  background.setAttribute('x', '0');
  background.setAttribute('y', '0');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', '#ffffff');
  clone.insertBefore(background, clone.firstChild);
  const text = new XMLSerializer().serializeToString(clone);
  return { text, width, height };
}

/** The standalone SVG drawn on a canvas at `scale`×, as a PNG blob. */
export async function svgToPng(svg: { text: string; width: number; height: number }, scale: number): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'sync';
    const loaded = new Promise<void>((resolve, reject) => {
      image.addEventListener('load', () => resolve(), { once: true });
      image.addEventListener('error', () => reject(new Error('the chart could not be drawn as an image')), { once: true });
    });
    image.src = url;
    await loaded;
    const canvas = document.createElement('canvas');
    canvas.width = svg.width * scale;
    canvas.height = svg.height * scale;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no canvas to draw on');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves `blob` as `name` through an <a download> made here (no inline handler, no navigation). */
function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: the download reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
