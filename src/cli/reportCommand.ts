import { notAvailable } from './notAvailable';

// FIXME(#9): the real command lands with its issue.
export const reportCommand = notAvailable('report', 9);
