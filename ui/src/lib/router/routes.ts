// The app's routes as data: matched by a pure function (tested), rendered by App.svelte.
export const SCREENS = [
  { id: 'overview', path: '/', label: 'Overview', keys: 'g o', built: true },
  { id: 'connect', path: '/connect', label: 'Connect', keys: 'g n', built: true },
  { id: 'credits', path: '/credits', label: 'Credits', keys: 'g c', built: true },
  { id: 'alerts', path: '/alerts', label: 'Alerts', keys: 'g a', built: true },
  { id: 'webhooks', path: '/webhooks', label: 'Webhooks', keys: 'g w', built: true },
  { id: 'data', path: '/data', label: 'Data', keys: 'g d', built: true },
  { id: 'settings', path: '/settings', label: 'Settings', keys: 'g s', built: true },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

export type Route =
  | { name: 'overview'; view: 'connections' | 'customers' }
  | { name: 'connection'; id: string }
  | { name: 'screen'; screen: Exclude<ScreenId, 'overview'> }
  | { name: 'not_found'; path: string };

/** `path` without query or hash; trailing slashes and `/index.html` are tolerated. */
export function matchRoute(path: string): Route {
  let p = path.split(/[?#]/)[0] ?? '/';
  if (p.endsWith('/index.html')) p = p.slice(0, -'index.html'.length);
  if (p.length > 1) p = p.replace(/\/+$/, '');
  if (p === '' || p === '/' || p === '/overview') return { name: 'overview', view: 'connections' };
  if (p === '/customers') return { name: 'overview', view: 'customers' };
  const connection = /^\/connections\/([^/]+)$/.exec(p);
  if (connection?.[1]) {
    try {
      return { name: 'connection', id: decodeURIComponent(connection[1]) };
    } catch {
      return { name: 'not_found', path };
    }
  }
  const screen = SCREENS.find((s) => s.path === p && s.id !== 'overview');
  if (screen && screen.id !== 'overview') return { name: 'screen', screen: screen.id };
  return { name: 'not_found', path };
}

export function connectionPath(id: string): string {
  return `/connections/${encodeURIComponent(id)}`;
}

/** Which navigation entry a route belongs to (the connection page sits under Overview). */
export function sectionOf(route: Route): ScreenId | null {
  switch (route.name) {
    case 'overview':
    case 'connection':
      return 'overview';
    case 'screen':
      return route.screen;
    default:
      return null;
  }
}
