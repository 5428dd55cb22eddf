// FIXME(#6): the usage-scan worker lands with its issue.
export {};
