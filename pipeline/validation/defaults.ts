/**
 * What a setting is when neither the producer nor `defaults` gives it: the tuning every producer
 * starts from. (The data stream's namespace defaults to lambda/contract/destination.ts's
 * DEFAULT_NAMESPACE; a few keys have no default on purpose: the schema says which.)
 */

export const DEFAULT_TUNING = {
  timeoutSeconds: 300,
  memoryMb: 512,
  maxReceiveCount: 5,
  batchSize: 10,
  batchWindowSeconds: 0,
  maxConcurrency: 5,
  logRetentionDays: 30,
  backlogAgeAlarmSeconds: 3_600,
} as const;

export type Tuning = { -readonly [K in keyof typeof DEFAULT_TUNING]: number } & {
  expectedIntervalMinutes?: number;
  maxLineBytes?: number;
  retentionDays?: number;
};
