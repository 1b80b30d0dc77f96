import { BROWSERS, COUNTRIES, DEVICE_TYPES, PAYMENT_METHODS, type OrderFeatures } from './features';
import type { FaultState } from './faults';
import { cumulative, type Random } from './random';

/** The period's customer mix: the training period is older and differs a little from today. */
export interface Regime {
  basketScale: number;
  mobileShare: number;
  paymentLegit: Float64Array;
  paymentFraud: Float64Array;
}

// Weights follow PAYMENT_METHODS: card, paypal, invoice, klarna, apple_pay.
export const LIVE_REGIME: Regime = {
  basketScale: 1,
  mobileShare: 0.55,
  paymentLegit: cumulative([0.34, 0.3, 0.12, 0.14, 0.1]),
  paymentFraud: cumulative([0.55, 0.1, 0.2, 0.1, 0.05]),
};

export const TRAIN_REGIME: Regime = {
  basketScale: 0.92,
  mobileShare: 0.5,
  paymentLegit: cumulative([0.37, 0.31, 0.13, 0.13, 0.06]),
  paymentFraud: cumulative([0.58, 0.1, 0.2, 0.09, 0.03]),
};

export interface OrderContext {
  hourOfDay: number;
  isWeekend: boolean;
  /** Traffic at this hour relative to the daily peak (fraud is a larger share at night). */
  trafficLevel: number;
  regime: Regime;
  faults: FaultState;
}

export interface SampledOrder {
  /** The inputs as logged, faults included. */
  features: OrderFeatures;
  /** The truth that a label reveals weeks later. */
  fraud: boolean;
}

export const COUNTRY_LEGIT = cumulative([0.56, 0.1, 0.07, 0.08, 0.07, 0.04, 0.03, 0.03, 0.02]);
export const COUNTRY_FRAUD = cumulative([0.34, 0.06, 0.05, 0.12, 0.14, 0.08, 0.07, 0.07, 0.07]);
// Weights follow BROWSERS: chrome, safari, firefox, edge, samsung, other.
const BROWSER_BY_DEVICE = {
  mobile: cumulative([0.42, 0.45, 0.02, 0.0, 0.09, 0.02]),
  desktop: cumulative([0.58, 0.12, 0.12, 0.16, 0.0, 0.02]),
  tablet: cumulative([0.35, 0.6, 0.01, 0.01, 0.0, 0.03]),
};

/** The share of orders that are fraud, at this hour's traffic level (fraud is a larger share at night). */
export const fraudRate = (trafficLevel: number) => 0.015 + 0.016 * (1 - trafficLevel);
/** Share of fraud whose features look like fraud; the rest looks like any other order. */
export const FRAUD_LOOKS_FRAUD = 0.85;

const round = (x: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};

/**
 * One order. Every order draws the same random numbers whether a fault is active or not, so a
 * fault changes only what it is meant to change.
 */
export function sampleOrder(rng: Random, ctx: OrderContext): SampledOrder {
  const { regime, faults } = ctx;
  const evening = Math.cos((2 * Math.PI * (ctx.hourOfDay - 20)) / 24); // 1 at 20:00, −1 at 08:00
  const fraud = rng.bernoulli(fraudRate(ctx.trafficLevel));
  // Some fraud (stolen but well-kept accounts) looks like any other order: the model cannot be perfect.
  const looksFraud = rng.bernoulli(fraud ? FRAUD_LOOKS_FRAUD : 0);

  const timeToOrder = looksFraud ? rng.lognormal(110, 0.8) : rng.lognormal(200 * Math.exp(0.08 * evening), 0.75);
  const timeToOrderMs = Math.max(1000, Math.round(timeToOrder * 1000));
  const sessionPages = 1 + rng.poisson(Math.min(60, (timeToOrderMs / 30_000) * Math.exp(0.35 * rng.normal())));

  const basketBase = looksFraud ? rng.lognormal(110, 0.85) : rng.lognormal(55 * regime.basketScale * Math.exp(0.1 * evening), 0.85);
  const basketValue = Math.max(1.5, round(basketBase * faults.basketValueScale, 2));
  const itemCount = 1 + rng.poisson(Math.max(0.05, 0.9 * Math.log(basketBase / 25)));

  const isNewAccount = rng.bernoulli(looksFraud ? 0.5 : 0.22);
  const accountAge = isNewAccount ? 0 : Math.min(6000, Math.max(1, Math.round(looksFraud ? rng.lognormal(40, 1.6) : rng.lognormal(420, 1.3))));
  const orderRate = looksFraud ? 0.5 : Math.min(60, 0.5 + accountAge / 80);
  const previousOrders = accountAge === 0 ? 0 : rng.poisson(rng.gamma(1.1, orderRate / 1.1));
  const recentBasket = rng.lognormal(58 * regime.basketScale, 0.6);
  const avgBasket90d = previousOrders > 0 && rng.bernoulli(1 - Math.exp(-previousOrders / 3)) ? round(recentBasket, 2) : 0;

  const deviceScore = round(looksFraud ? rng.beta(3, 5) : rng.beta(2, 9), 4);
  const deviceScoreNull = rng.bernoulli(Math.max(0.01, faults.deviceScoreNullRate));

  const farAway = rng.bernoulli(looksFraud ? 0.3 : 0.07);
  const ipDistance = round(farAway ? rng.lognormal(900, 0.8) : rng.lognormal(18, 1.0), 1);
  const ipDistanceNull = rng.bernoulli(0.015);

  const riskyDomain = rng.bernoulli(looksFraud ? 0.35 : 0.08);
  const emailRisk = round(riskyDomain ? rng.beta(3, 2.5) : rng.beta(1.2, 25), 4);
  const emailRiskNull = rng.bernoulli(0.005);

  const addressesMatch = rng.bernoulli(looksFraud ? 0.65 : 0.88);
  const payment = PAYMENT_METHODS[rng.categorical(looksFraud ? regime.paymentFraud : regime.paymentLegit)];
  const isCrypto = rng.bernoulli(faults.cryptoShare);
  const country = COUNTRIES[rng.categorical(looksFraud ? COUNTRY_FRAUD : COUNTRY_LEGIT)];

  const mobileShare = looksFraud ? 0.45 : regime.mobileShare + 0.1 * evening;
  const deviceDraw = rng.uniform();
  const device = DEVICE_TYPES[deviceDraw < mobileShare ? 0 : deviceDraw < mobileShare + 0.08 ? 2 : 1];
  const browser = BROWSERS[rng.categorical(BROWSER_BY_DEVICE[device])];
  const browserNull = rng.bernoulli(0.01);

  const couponUsed = rng.bernoulli((looksFraud ? 0.2 : 0.13) + (ctx.isWeekend ? 0.04 : 0));
  const addressChanges = rng.poisson(looksFraud ? 0.4 : 0.07);
  const failedLogins = looksFraud ? rng.poisson(0.6) : rng.bernoulli(0.06) ? 1 + rng.poisson(0.6) : 0;
  const failedLoginsNull = rng.bernoulli(0.006);

  return {
    fraud,
    features: {
      time_to_order: faults.timeToOrderScale === 1 ? timeToOrderMs / 1000 : timeToOrderMs * (faults.timeToOrderScale / 1000),
      basket_value: basketValue,
      item_count: itemCount,
      account_age_days: accountAge,
      previous_orders: previousOrders,
      avg_basket_90d: avgBasket90d,
      device_score: deviceScoreNull ? null : deviceScore,
      ip_distance_km: ipDistanceNull ? null : ipDistance,
      email_domain_risk: emailRiskNull ? null : emailRisk,
      shipping_billing_match: addressesMatch,
      payment_method: isCrypto ? 'crypto' : payment,
      country,
      device_type: device,
      browser: browserNull ? null : browser,
      hour_of_day: ctx.hourOfDay,
      is_weekend: ctx.isWeekend,
      coupon_used: couponUsed,
      address_changes_30d: addressChanges,
      failed_logins_24h: failedLoginsNull ? null : accountAge === 0 ? 0 : failedLogins,
      session_pages: sessionPages,
    },
  };
}
