import { COUNTRIES, PAYMENT_METHODS, type OrderFeatures } from './features';
import { COUNTRY_FRAUD, COUNTRY_LEGIT, FRAUD_LOOKS_FRAUD, fraudRate, LIVE_REGIME } from './sample-order';

/** Weights back from `cumulative` arrays (they sum to 1). */
const weightsOf = (cdf: Float64Array) => Array.from(cdf, (c, i) => c - (i > 0 ? cdf[i - 1] : 0));

const PAYMENT_LEGIT = weightsOf(LIVE_REGIME.paymentLegit);
const PAYMENT_FRAUD = weightsOf(LIVE_REGIME.paymentFraud);
const COUNTRY_LEGIT_W = weightsOf(COUNTRY_LEGIT);
const COUNTRY_FRAUD_W = weightsOf(COUNTRY_FRAUD);

/**
 * The scoring service's fallback when the model times out: a lookup table of fraud rates by
 * payment method, country and hour. Its rates are the true ones of the demo's traffic (Bayes over
 * sample-order.ts), so its score is calibrated, but it barely ranks orders: ROC AUC about 0.65.
 * A method or country it does not know (crypto) gets the hour's base rate.
 */
export function fallbackScore(features: OrderFeatures, trafficLevel: number): number {
  const prior = fraudRate(trafficLevel);
  const k = PAYMENT_METHODS.indexOf(features.payment_method as (typeof PAYMENT_METHODS)[number]);
  const c = COUNTRIES.indexOf(features.country as (typeof COUNTRIES)[number]);
  const legit = (k < 0 ? 1 : PAYMENT_LEGIT[k]) * (c < 0 ? 1 : COUNTRY_LEGIT_W[c]);
  const fraudLike = (k < 0 ? 1 : PAYMENT_FRAUD[k]) * (c < 0 ? 1 : COUNTRY_FRAUD_W[c]);
  const fraud = FRAUD_LOOKS_FRAUD * fraudLike + (1 - FRAUD_LOOKS_FRAUD) * legit;
  return (prior * fraud) / (prior * fraud + (1 - prior) * legit);
}
