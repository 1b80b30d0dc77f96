import type { AlertListItem, FeatureView, ModelOverview, ModelView, WindowInfo } from '@/lib/dashboard/views';

/**
 * The view data of docs/api.md with the fields issue #9 adds (coordination contract). They are
 * optional here so the pages render, without them, what the server sends today; once
 * lib/dashboard/views.ts has them the intersections below are no-ops.
 */
export interface Coverage {
  hours: { at: string; rows: number }[];
  rows: number;
  empty_hours: number;
}

export interface QualityStats {
  rows: number;
  nulls: number;
  non_finite: number;
  type_errors: number;
  failed_rate: number | null;
  outside_range_share: number | null;
  new_categories: { name: string; count: number }[];
}

export interface QualityPoint {
  at: string;
  rows: number;
  nulls: number;
  non_finite: number;
  type_errors: number;
  outside_range: number | null;
}

export interface Quality {
  window: QualityStats;
  references: Record<string, QualityStats>;
  series: QualityPoint[];
}

export type WindowData = WindowInfo & { as_of?: string };

interface FeatureExtras {
  min_rows?: number | null;
  insufficient?: string;
}

export type ModelFeature = ModelView['features'][number] & FeatureExtras;

export type ModelPageData = Omit<ModelView, 'window' | 'features'> & {
  window: WindowData;
  features: ModelFeature[];
  coverage?: Coverage;
  warnings?: string[];
};

export type FeatureComparisonData = FeatureView['comparisons'][number] & FeatureExtras;

export type FeaturePageData = Omit<FeatureView, 'window' | 'comparisons'> & {
  window: WindowData;
  comparisons: FeatureComparisonData[];
  coverage?: Coverage;
  quality?: Quality;
};

export type OverviewModel = ModelOverview & { window?: WindowData };

/** The alert event may carry the failed rate that fired (contract: optional `failed_rate`). */
export type AlertItem = AlertListItem & { failed_rate?: number | null };
