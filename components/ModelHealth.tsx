'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import styles from './ModelHealth.module.css';
import { summaryOptions, type ModelSummary } from './queries/summary';
import type { ViewArgs } from './queries/view-args';
import { formatTimeIn } from './time-zone';
import { useShownTimeZone } from './use-shown-time-zone';
import { useViewQuery } from './use-view-query';

const statusClass = (s: ModelSummary['status']) => (s === 'healthy' ? styles.healthy : s === 'broken' ? styles.broken : styles.attention);

/** Words of `text` that `terms` explains get a tooltip (a dotted underline). */
function withTerms(text: string, terms: Record<string, string>): ReactNode[] {
  const names = Object.keys(terms).sort((a, b) => b.length - a.length);
  if (!names.length) return [text];
  const pattern = new RegExp(`(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return text.split(pattern).map((part, i) =>
    terms[part] ? (
      <abbr key={i} className={styles.term} title={terms[part]}>
        {part}
      </abbr>
    ) : (
      part
    ),
  );
}

/** One model's health in plain language: status, headline, incidents, performance, recent changes. */
export function ModelHealthCard({ model, args }: { model: string; args: ViewArgs }) {
  const { data, error } = useViewQuery(summaryOptions(model, args), args);
  const tz = useShownTimeZone();
  if (!data) {
    return (
      <div className={styles.card} data-testid="model-health" data-model={model}>
        <span className={styles.model}>{model}</span> <span className="muted">{error ? `summary unavailable: ${error.message}` : 'reading its health …'}</span>
      </div>
    );
  }
  const ongoing = data.incidents.filter((i) => i.until === null);
  const ended = data.incidents.filter((i) => i.until !== null);
  return (
    <section className={`${styles.card} ${statusClass(data.status)}`} data-testid="model-health" data-model={model} data-status={data.status}>
      <div className={styles.head}>
        <Link className={styles.model} href={data.links.model}>
          {model}
        </Link>
        <span className={styles.status}>{data.status}</span>
        <span className={styles.small}>as of {formatTimeIn(data.window.as_of, tz)}</span>
      </div>
      <p className={styles.headline} data-testid="headline">
        {withTerms(data.headline, data.terms)}
      </p>
      {ongoing.length > 0 && (
        <>
          <div className={styles.small}>Ongoing problems ({ongoing.length}):</div>
          <ul className={styles.incidents} data-testid="incidents">
            {ongoing.map((i) => (
              <li key={i.id}>
                <span className={`${styles.sev} ${styles[i.severity]}`}>{i.severity}</span>
                since {formatTimeIn(i.since, tz)}: {withTerms(i.cause, data.terms)}{' '}
                <span className={styles.small}>
                  — {i.effect.text}.{' '}
                  {i.features.map((f, n) => (
                    <span key={f}>
                      {n > 0 && ', '}
                      <Link href={data.links.features[f] ?? data.links.model}>{f}</Link>
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {ended.length > 0 && (
        <details>
          <summary className={styles.small}>Ended problems ({ended.length})</summary>
          <ul className={styles.incidents}>
            {ended.map((i) => (
              <li key={i.id} className={styles.ended}>
                {formatTimeIn(i.since, tz)} – {formatTimeIn(i.until, tz)}: {i.cause}
              </li>
            ))}
          </ul>
        </details>
      )}
      <p className={styles.small} data-testid="performance-text">
        Performance: {withTerms(data.performance.text, data.performance.terms)}.{' '}
        <Link href={data.links.performance}>details</Link>
      </p>
      {data.changes_7d.length > 0 && (
        <details>
          <summary className={styles.small}>What changed in the last 7 days ({data.changes_7d.length})</summary>
          <ul className={styles.incidents}>
            {data.changes_7d.map((c) => (
              <li key={`${c.at}|${c.text}`}>
                {formatTimeIn(c.at, tz)}: {c.text}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** The overview's first screen: every model's health, above the table. */
export function ModelHealthCards({ models, args }: { models: readonly string[]; args: ViewArgs }) {
  if (!models.length) return null;
  return (
    <div className={styles.cards} data-testid="model-health-cards">
      {models.map((m) => (
        <ModelHealthCard key={m} model={m} args={args} />
      ))}
    </div>
  );
}
