// Which runs are "well above the usual for their class". Spend per run is heavy-tailed: a handful of
// long agent runs cost more than dozens of short ones. A mean ± standard deviation rule is dragged up
// by the very runs it should flag (one $80 run among $2 runs lifts the mean to ~$9 and the deviation
// to ~$20, so it hides itself). The median and the median absolute deviation (MAD) ignore up to half
// the runs being extreme, so the rule is:
//
//   outlier ⇔ cost > max(median + 3 × 1.4826 × MAD, 2 × median, 1 cent), with at least 5 runs in the class
//
// 1.4826 × MAD estimates the standard deviation of normally spread costs, so "3" reads as the familiar
// three sigmas. The 2 × median floor keeps a class whose runs all cost about the same (MAD ≈ 0) from
// flagging a run that is merely a few cents above the rest; the cent floor does the same for free runs.
// Below 5 runs there is no "usual" to compare with, so nothing is flagged.

import { median, medianAbsoluteDeviation } from './stats';

export interface OutlierRule {
  minCount: number;
  madMultiplier: number;
  minRatioToMedian: number;
  floorMicros: number;
}

export const OUTLIER_RULE: OutlierRule = { minCount: 5, madMultiplier: 3, minRatioToMedian: 2, floorMicros: 10_000 };

/** Makes MAD a consistent estimator of the standard deviation for normally distributed values. */
const MAD_TO_SIGMA = 1.4826;

export const OUTLIER_RULE_TEXT =
  'A run is marked as an outlier when it costs more than median + 3 × MAD (scaled to a standard deviation) of its class’s runs in the period, and at least twice the median; classes with fewer than 5 runs are not judged.';

export interface ClassSpread {
  group: string;
  count: number;
  medianMicros: number;
  madMicros: number;
  /** cost above which a run of this group is an outlier; null when the group has too few runs to judge */
  thresholdMicros: number | null;
}

/** The spread of one group's costs and its outlier threshold (integer micros); `costs` is not empty. */
export function spreadOf(group: string, costs: readonly number[], rule: OutlierRule = OUTLIER_RULE): ClassSpread {
  const med = median(costs);
  const mad = medianAbsoluteDeviation(costs, med);
  const threshold =
    costs.length < rule.minCount
      ? null
      : Math.round(
          Math.max(med + rule.madMultiplier * MAD_TO_SIGMA * mad, rule.minRatioToMedian * med, rule.floorMicros),
        );
  return {
    group,
    count: costs.length,
    medianMicros: Math.round(med),
    madMicros: Math.round(mad),
    thresholdMicros: threshold,
  };
}

/** Per group: the spread of its runs' costs and the outlier threshold (integer micros). */
export function classSpreads(
  runs: readonly { group: string; costMicros: number }[],
  rule: OutlierRule = OUTLIER_RULE,
): Map<string, ClassSpread> {
  const byGroup = new Map<string, number[]>();
  for (const run of runs) {
    let costs = byGroup.get(run.group);
    if (!costs) byGroup.set(run.group, (costs = []));
    costs.push(run.costMicros);
  }
  const spreads = new Map<string, ClassSpread>();
  for (const [group, costs] of byGroup) spreads.set(group, spreadOf(group, costs, rule));
  return spreads;
}

/** How many of these costs (one group's) are outliers by the rule; none below `minCount` values. */
export function countOutliers(costs: readonly number[], rule: OutlierRule = OUTLIER_RULE): number {
  if (costs.length === 0) return 0;
  const spread = spreadOf('', costs, rule);
  return costs.filter((c) => isOutlier(c, spread)).length;
}

/** Is this cost an outlier for the group's spread? */
export function isOutlier(costMicros: number, spread: ClassSpread | undefined): boolean {
  return spread?.thresholdMicros != null && costMicros > spread.thresholdMicros;
}
