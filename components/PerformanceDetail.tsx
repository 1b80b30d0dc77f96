'use client';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, formatPercent } from './format';
import type { PerformanceWindow } from './performance-data';
import { ESTIMATED_COLOUR, REALISED_COLOUR } from './PerformanceChart';
import { formatRangeIn } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';

type Confusion = { tp: number; fp: number; tn: number; fn: number };
const fixed = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));
const AXIS_TEXT = { fill: '#57606a', fontSize: 12 };

/** A 2×2 confusion matrix at the decision threshold; expected counts (the estimate's) are fractional. */
function ConfusionMatrix({ title, confusion, testId, expected = false }: { title: string; confusion: Confusion; testId: string; expected?: boolean }) {
  const n = confusion.tp + confusion.fp + confusion.tn + confusion.fn;
  const cell = (v: number) => (
    <td className="num">
      {expected ? formatNumber(v, 4) : v.toLocaleString('en-US')} <span className="muted">({formatPercent(n > 0 ? v / n : null)})</span>
    </td>
  );
  return (
    <div>
      <h4>{title}</h4>
      <table className="data confusion" data-testid={testId}>
        <thead>
          <tr>
            <th />
            <th className="num">predicted 1</th>
            <th className="num">predicted 0</th>
          </tr>
        </thead>
        <tbody>
          <tr data-actual="1">
            <th>actual 1</th>
            {cell(confusion.tp)}
            {cell(confusion.fn)}
          </tr>
          <tr data-actual="0">
            <th>actual 0</th>
            {cell(confusion.fp)}
            {cell(confusion.tn)}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/** Mean score against the observed positive rate per score bin, with the diagonal of a calibrated score. */
function CalibrationCurve({ bins }: { bins: NonNullable<PerformanceWindow['realised']>['calibration_curve'] }) {
  const points = bins.filter((b) => b.meanScore !== null && b.positiveRate !== null).map((b) => ({ score: b.meanScore as number, rate: b.positiveRate as number, count: b.count }));
  return (
    <div className="panel" data-testid="calibration-curve">
      <h3>Calibration: observed positive rate against mean score (dashed: perfectly calibrated)</h3>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={points} margin={{ left: 12, right: 20, top: 8, bottom: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="score" type="number" domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} label={{ value: 'mean score in bin', position: 'insideBottom', offset: -2, style: AXIS_TEXT }} height={40} />
          <YAxis type="number" domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} label={{ value: 'observed positive rate', angle: -90, position: 'insideLeft', style: { ...AXIS_TEXT, textAnchor: 'middle' } }} width={56} />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="#8c959f" strokeDasharray="5 3" ifOverflow="hidden" />
          <Tooltip labelFormatter={(v) => `mean score ${formatNumber(Number(v), 3)}`} formatter={(v, name) => [formatNumber(Number(v), 3), String(name)]} />
          <Line dataKey="rate" name="observed rate" className="line-calibration" stroke={REALISED_COLOUR} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The selected window: its confusion matrices (realised and expected) and calibration curve, or why they are missing. */
export function PerformanceDetail({ window: w, threshold }: { window: PerformanceWindow; threshold: number }) {
  const tz = useShownTimeZone();
  return (
    <section className="performance-detail" data-testid="window-detail" data-window-from={w.from}>
      <h2>
        Window {formatRangeIn(w.from, w.to, tz)}
      </h2>
      <p className="muted">
        {w.predictions.toLocaleString('en-US')} predictions, {w.labelled.toLocaleString('en-US')} labelled ({formatPercent(w.coverage)}); decision threshold {threshold}
        {w.label_delay_hours ? `; labels arrived ${formatNumber(w.label_delay_hours.p50 / 24, 3)} days after the prediction (median), ${formatNumber(w.label_delay_hours.p90 / 24, 3)} days (90th percentile)` : ''}.
      </p>
      <div className="charts">
        <div className="panel">
          <h3>Confusion matrix at threshold {threshold}</h3>
          <div className="confusion-pair">
            {w.realised ? <ConfusionMatrix title="realised (labelled predictions)" confusion={w.realised.confusion} testId="confusion-realised" /> : <p className="notice" data-testid="no-realised">No realised figures: {w.realised_note ?? 'no labels'}.</p>}
            {w.estimated ? <ConfusionMatrix title="expected (from the calibrated score)" confusion={w.estimated.confusion} testId="confusion-expected" expected /> : <p className="notice" data-testid="no-estimate">No estimate: {w.estimate_note ?? 'none'}.</p>}
          </div>
          {(w.realised || w.estimated) && (
            <table className="data metrics-pair" data-testid="window-metrics">
              <thead>
                <tr>
                  <th />
                  <th className="num" style={{ color: REALISED_COLOUR }}>realised</th>
                  <th className="num" style={{ color: ESTIMATED_COLOUR }}>estimated</th>
                </tr>
              </thead>
              <tbody>
                {(['roc_auc', 'accuracy', 'precision', 'recall', 'f1'] as const).map((m) => (
                  <tr key={m}>
                    <th>{m === 'roc_auc' ? 'ROC AUC' : m === 'f1' ? 'F1' : m}</th>
                    <td className="num">{fixed(w.realised?.[m])}</td>
                    <td className="num">
                      {fixed(w.estimated?.[m])}
                      {m === 'roc_auc' && w.estimated ? ` [${fixed(w.estimated.roc_auc_lower)}, ${fixed(w.estimated.roc_auc_upper)}]` : ''}
                    </td>
                  </tr>
                ))}
                {w.realised && (
                  <tr>
                    <th>log loss · Brier</th>
                    <td className="num">
                      {fixed(w.realised.log_loss)} · {fixed(w.realised.brier)}
                    </td>
                    <td className="num muted">–</td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
        </div>
        {w.realised && w.realised.calibration_curve.length > 0 ? <CalibrationCurve bins={w.realised.calibration_curve} /> : <p className="notice">No calibration curve: it needs realised labels in this window.</p>}
      </div>
    </section>
  );
}
