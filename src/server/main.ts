// FIXME(#10): the reference Bands API v1 server lands with its issue.
export {};
