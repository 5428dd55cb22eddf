import { notAvailable } from './notAvailable';

// FIXME(#10): the reference server lands with its issue.
export const serverCommand = notAvailable('server', 10);
export const adminCommand = notAvailable('admin', 10);
