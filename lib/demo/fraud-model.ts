import type { OrderFeatures } from './features';

export const MODEL_NAME = 'checkout-fraud';
export const MODEL_VERSION = '3';

/** The model's inputs: transforms of the logged features. A null becomes NaN here (imputed later). */
export function modelInputs(f: OrderFeatures): number[] {
  const num = (v: OrderFeatures[keyof OrderFeatures]) => (typeof v === 'number' ? v : NaN);
  const accountAge = num(f.account_age_days);
  return [
    Math.log1p(num(f.time_to_order)),
    Math.log(num(f.basket_value)),
    accountAge === 0 ? 1 : 0,
    Math.log1p(accountAge),
    Math.log1p(num(f.previous_orders)),
    num(f.device_score),
    Math.log1p(num(f.ip_distance_km)),
    num(f.email_domain_risk),
    f.shipping_billing_match === false ? 1 : 0,
    f.payment_method === 'paypal' ? 1 : 0,
    f.payment_method === 'invoice' ? 1 : 0,
    f.payment_method === 'klarna' ? 1 : 0,
    f.payment_method === 'apple_pay' ? 1 : 0,
    f.country === 'DE' ? 0 : 1,
    Math.min(5, num(f.address_changes_30d)),
    Math.min(10, num(f.failed_logins_24h)),
    f.coupon_used === true ? 1 : 0,
    Math.log(num(f.session_pages)),
    f.device_type === 'desktop' ? 1 : 0,
  ];
}

// Fitted once by logistic regression (IRLS) on 432k orders drawn from TRAIN_REGIME with seed
// 12345, then rounded; AUC 0.906 and mean score = fraud rate (1.96%) on that sample.

/** Training means of the inputs: the deployed model silently imputes these for missing values. */
export const IMPUTED_INPUTS: readonly number[] = [
  5.3071, 3.9539, 0.2245, 4.6637, 1.2896, 0.1848, 3.2548, 0.0879, 0.124, 0.3073, 0.1313, 0.1298, 0.0597, 0.4434, 0.076, 0.0788,
  0.1422, 2.0134, 0.407,
];

/** Logistic-regression coefficients: the intercept, then one per input of `modelInputs`. */
export const COEFFICIENTS: readonly number[] = [
  -3.332, -0.797, 0.756, -2.714, -0.662, -0.409, 7.462, 0.253, 2.251, 1.03, -1.042, -0.05, -0.555, -0.744, 0.656, 1.399, 0.743,
  0.384, 0.011, 0.185,
];

/** The model's fraud probability for one order's logged features. */
export function fraudScore(f: OrderFeatures): number {
  const x = modelInputs(f);
  let z = COEFFICIENTS[0];
  for (let i = 0; i < x.length; i++) z += COEFFICIENTS[i + 1] * (Number.isNaN(x[i]) ? IMPUTED_INPUTS[i] : x[i]);
  return 1 / (1 + Math.exp(-z));
}
