import { z } from 'zod';

/**
 * Model and reference names appear in storage keys and URLs, so they are restricted: letters,
 * digits, '.', '_' and '-', starting with a letter or digit, at most 128 characters.
 */
export const ModelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit')
  .refine((s) => !s.includes('..'), 'must not contain ".."');
export type ModelName = z.infer<typeof ModelName>;

/** A reference name follows the model-name rules; `live` is the window's own name in every view. */
export const ReferenceName = ModelName.refine((s) => s !== 'live', '"live" is reserved for the live window');
export type ReferenceName = ModelName;

/** Feature names come from data columns; they never become storage keys, only column values. */
export const FeatureName = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20), 'must not contain control characters');
export type FeatureName = z.infer<typeof FeatureName>;
