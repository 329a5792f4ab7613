// The automation hooks of DESIGN.md section 9: ?ephemeral, ?join, ?authority=ws://host:port/ws.

export interface PageParams {
  readonly ephemeral: boolean;
  readonly join: boolean;
  readonly authorityUrls: string[];
}

export function readPageParams(location: Location): PageParams {
  const params = new URLSearchParams(location.search);
  const given = params.getAll('authority').flatMap((value) => value.split(/[\s,]+/)).filter(Boolean);
  return {
    ephemeral: params.has('ephemeral'),
    join: params.has('join'),
    authorityUrls: given.length > 0 ? given : [defaultAuthorityUrl(location)],
  };
}

/** The authority that served the page: same host, /ws. */
export function defaultAuthorityUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
