/** Activities of the baseline workflows: they do nothing, so only Temporal's own cost remains. */
export const baselineActivities = {
  noop(_label: string): Promise<void> {
    return Promise.resolve();
  },
};
