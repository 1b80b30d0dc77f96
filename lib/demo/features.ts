export type FeatureType = 'numeric' | 'categorical';
export type FeatureValue = number | string | boolean | null;

export interface FeatureSpec {
  name: string;
  type: FeatureType;
  description: string;
}

/** The inputs of the checkout-fraud model, in the order they appear in events and CSV columns. */
export const FEATURES = [
  { name: 'time_to_order', type: 'numeric', description: 'Seconds from session start to order (lognormal, median ≈ 200 s; fraud is faster).' },
  { name: 'basket_value', type: 'numeric', description: 'Order value in EUR (lognormal, median ≈ 55; higher in the evening).' },
  { name: 'item_count', type: 'numeric', description: 'Number of items in the basket (integer ≥ 1).' },
  { name: 'account_age_days', type: 'numeric', description: 'Days since the account was created; 0 for guests and new accounts.' },
  { name: 'previous_orders', type: 'numeric', description: 'Completed orders before this one (integer, zero-inflated).' },
  { name: 'avg_basket_90d', type: 'numeric', description: 'Mean basket value in EUR over the last 90 days; 0 when there was none.' },
  { name: 'device_score', type: 'numeric', description: 'Device-fingerprint risk in [0, 1]; 0 is a known, trusted device.' },
  { name: 'ip_distance_km', type: 'numeric', description: 'Distance between IP geolocation and billing address in km.' },
  { name: 'email_domain_risk', type: 'numeric', description: 'Risk of the e-mail domain in [0, 1] (disposable domains score high).' },
  { name: 'shipping_billing_match', type: 'categorical', description: 'Whether shipping and billing address are the same (boolean).' },
  { name: 'payment_method', type: 'categorical', description: 'card, paypal, invoice, klarna or apple_pay.' },
  { name: 'country', type: 'categorical', description: 'Billing country (ISO 3166-1 alpha-2).' },
  { name: 'device_type', type: 'categorical', description: 'mobile, desktop or tablet (more mobile in the evening).' },
  { name: 'browser', type: 'categorical', description: 'chrome, safari, firefox, edge, samsung or other.' },
  { name: 'hour_of_day', type: 'numeric', description: 'Hour of the order in UTC, 0–23.' },
  { name: 'is_weekend', type: 'categorical', description: 'Order placed on Saturday or Sunday, UTC (boolean).' },
  { name: 'coupon_used', type: 'categorical', description: 'A coupon code was applied (boolean).' },
  { name: 'address_changes_30d', type: 'numeric', description: 'Address changes on the account in the last 30 days.' },
  { name: 'failed_logins_24h', type: 'numeric', description: 'Failed login attempts on the account in the last 24 hours.' },
  { name: 'session_pages', type: 'numeric', description: 'Pages viewed in the session before ordering.' },
] as const satisfies readonly FeatureSpec[];

export type FeatureName = (typeof FEATURES)[number]['name'];
export type OrderFeatures = Record<FeatureName, FeatureValue>;

export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);

export const PAYMENT_METHODS = ['card', 'paypal', 'invoice', 'klarna', 'apple_pay'] as const;
export const COUNTRIES = ['DE', 'AT', 'CH', 'NL', 'FR', 'BE', 'IT', 'ES', 'PL'] as const;
export const DEVICE_TYPES = ['mobile', 'desktop', 'tablet'] as const;
export const BROWSERS = ['chrome', 'safari', 'firefox', 'edge', 'samsung', 'other'] as const;
