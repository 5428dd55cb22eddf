import { notAvailable } from './notAvailable';

// FIXME(#8): the real command lands with its issue.
export const requestsCommand = notAvailable('requests', 8);
