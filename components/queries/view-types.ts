import type { AlertListItem, FeatureView, ModelOverview, ModelView, WindowInfo } from '@/lib/dashboard/views';
import type { Coverage, QualityPoint, QualityStats } from '@/lib/dashboard/window-quality';

/**
 * The view data of docs/api.md as the pages read it (the routes answer these types as JSON).
 * `min_rows` / `insufficient` per feature (coordination contract) are optional until the
 * comparison sends them: the pages show the message when it is there and nothing otherwise.
 */
export type { Coverage, QualityPoint, QualityStats };
export type WindowData = WindowInfo;
export type Quality = NonNullable<FeatureView['quality']>;

interface FeatureExtras {
  min_rows?: number | null;
  insufficient?: string;
}

export type ModelFeature = ModelView['features'][number] & FeatureExtras;
export type ModelPageData = Omit<ModelView, 'features'> & { features: ModelFeature[] };
export type FeatureComparisonData = FeatureView['comparisons'][number] & FeatureExtras;
export type FeaturePageData = Omit<FeatureView, 'comparisons'> & { comparisons: FeatureComparisonData[] };
export type OverviewModel = ModelOverview;
export type AlertItem = AlertListItem;
