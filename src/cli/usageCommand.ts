import { notAvailable } from './notAvailable';

// FIXME(#6): the real command lands with its issue.
export const usageCommand = notAvailable('usage', 6);
