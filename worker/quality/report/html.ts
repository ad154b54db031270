/**
 * report/index.html: one self-contained page a person can read — headline numbers with a line on what each means,
 * histograms as inline SVG, and the contact sheet (inline when small, else linked beside the page).
 */
import type { QualityDistributions, QualityMetrics } from '../measures.ts';
import { histogramSvg } from './svg.ts';

export interface ReportContext {
  /** What was measured, e.g. the dataset URI. */
  dataset: string;
  /** The encoder that embedded the images. */
  encoder: string;
  /** ISO time the report was made (passed in, so reports are reproducible). */
  createdAt: string;
  /** Identities and images of the whole set, when the report measured a sample. */
  totalIdentities?: number;
  totalImages?: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const num = (v: number | null, digits = 3): string => (v === null ? '—' : v.toFixed(digits));
const pct = (v: number, digits = 1): string => `${(100 * v).toFixed(digits)}%`;

interface Headline {
  label: string;
  value: string;
  explain: string;
  /** Direction that is better, shown as a hint. */
  better: 'higher' | 'lower';
}

export function headlines(m: QualityMetrics): Headline[] {
  const fnmr = m.separability.fnmrAtFmr['0.001'];
  return [
    {
      label: 'Identity consistency',
      value: num(m.identityConsistency),
      explain: 'Mean cosine between each image’s embedding and the identity embedding that generated it.',
      better: 'higher',
    },
    {
      label: 'Centroid consistency',
      value: num(m.centroidConsistency),
      explain: 'Mean cosine between each image and the centre of its identity: how tightly an identity clusters.',
      better: 'higher',
    },
    {
      label: 'Intra-class diversity',
      value: num(m.intraClassDiversity),
      explain: 'Mean 1 − cosine between two images of one identity: variety of pose, age and expression.',
      better: 'higher',
    },
    {
      label: 'Nearest other identity',
      value: num(m.interClass.nearestCosine.mean),
      explain: `Mean, over identities, of the largest cosine to another identity’s centre; ${pct(m.interClass.shareAbove)} of identities are above ${m.interClass.threshold}.`,
      better: 'lower',
    },
    {
      label: 'Equal error rate',
      value: pct(m.separability.eer, 2),
      explain: `Genuine vs impostor pairs (${m.separability.genuinePairs} each): where false matches equal false non-matches.`,
      better: 'lower',
    },
    {
      label: 'd′',
      value: num(m.separability.dPrime, 2),
      explain: 'Distance between the genuine and impostor score distributions, in pooled standard deviations.',
      better: 'higher',
    },
    {
      label: 'FNMR at FMR 0.1%',
      value: fnmr === undefined ? '—' : pct(fnmr, 2),
      explain: 'Share of genuine pairs rejected at the threshold that lets at most 0.1% of impostor pairs through.',
      better: 'lower',
    },
    {
      label: 'Verification accuracy',
      value: pct(m.verification.accuracy, 2),
      explain: `Pairs classified same/different with a threshold chosen on the other folds (${m.verification.folds}-fold, as LFW).`,
      better: 'higher',
    },
    {
      label: 'Label-flip rate',
      value: pct(m.labelFlipRate, 2),
      explain: 'Images closer to another identity’s centre than to their own.',
      better: 'lower',
    },
  ];
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1040px;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem}.meta{color:#666;margin-top:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.8rem;margin:1.2rem 0}
.card{border:1px solid #ddd;border-radius:8px;padding:.7rem .9rem}.card b{display:block;font-size:1.5rem}
.card small{color:#555}.card i{float:right;color:#888;font-size:.75rem}
figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}img{max-width:100%;image-rendering:pixelated}
table{border-collapse:collapse}td{padding:.15rem .8rem .15rem 0}`;

export function reportHtml(
  m: QualityMetrics,
  d: QualityDistributions,
  ctx: ReportContext,
  contactSheet: { dataUri?: string; href: string },
): string {
  const cards = headlines(m)
    .map(
      (h) =>
        `<div class="card"><i>${h.better} is better</i>${esc(h.label)}<b>${esc(h.value)}</b><small>${esc(h.explain)}</small></div>`,
    )
    .join('\n');
  const scores = histogramSvg(
    [
      { label: 'genuine pairs', values: d.genuineScores, colour: '#2a9d5c' },
      { label: 'impostor pairs', values: d.impostorScores, colour: '#d1495b' },
    ],
    {
      lo: -1,
      hi: 1,
      bins: 60,
      xLabel: 'cosine similarity',
      marker: { at: m.separability.eerThreshold, label: 'EER threshold' },
    },
  );
  const nearest = histogramSvg([{ label: 'identities', values: d.nearestCentroidCosine, colour: '#3066be' }], {
    lo: -1,
    hi: 1,
    bins: 60,
    xLabel: 'largest cosine to another identity’s centre',
    marker: { at: m.interClass.threshold, label: `threshold ${m.interClass.threshold}` },
  });
  const sampled =
    ctx.totalIdentities !== undefined && ctx.totalIdentities > m.identities
      ? ` (a deterministic sample of ${ctx.totalIdentities} identities${ctx.totalImages ? `, ${ctx.totalImages} images` : ''})`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quality report — ${esc(ctx.dataset)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1>Quality report</h1>
<p class="meta">${esc(ctx.dataset)} · ${m.identities} identities, ${m.images} images${esc(sampled)} · encoder ${esc(ctx.encoder)} · ${esc(ctx.createdAt)}</p>
<div class="grid">
${cards}
</div>
<figure>${scores}<figcaption>Cosine similarity of genuine (same identity) and impostor pairs. Well separated humps mean identities are consistent within and distinct between.</figcaption></figure>
<figure>${nearest}<figcaption>For each identity, the cosine between its centre and the nearest other identity’s centre. Mass right of the threshold means look-alike identities.</figcaption></figure>
<h2>Contact sheet</h2>
<p>One row per identity.</p>
<figure><img src="${esc(contactSheet.dataUri ?? contactSheet.href)}" alt="contact sheet: one row per identity"></figure>
<p class="meta">The numbers are in <a href="metrics.json">metrics.json</a>.</p>
</body></html>
`;
}
