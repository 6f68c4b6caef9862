// Figures shared by the tree and the region page, computed the same way in both.

/** Ladder rungs fired this month in the region: what the console calls "escalated". */
export function escalatedThisMonth(figures = {}) {
  return (figures.warningLettersThisMonth ?? 0) + (figures.circularsThisMonth ?? 0) + (figures.summonsThisMonth ?? 0)
    + (figures.exposuresThisMonth ?? 0) + (figures.investigationsThisMonth ?? 0);
}

/** The colour band of an overdue share: none, under 5%, 5–10%, 10% and more (the default summons threshold). */
export function shareClass(share) {
  if (!share) return 'share-none';
  if (share < 0.05) return 'share-low';
  if (share < 0.1) return 'share-mid';
  return 'share-high';
}

/** Whether a region has children the ranking can list (towns have none). */
export const hasChildren = code => code.length < 9;
