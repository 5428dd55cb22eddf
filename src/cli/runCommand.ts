import { notAvailable } from './notAvailable';

// FIXME(#7): the real command lands with its issue.
export const runCommand = notAvailable('run', 7);
