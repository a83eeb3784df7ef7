// History routing: `mdesk serve` answers index.html for unknown paths, and Tauri's asset
// protocol falls back to index.html too, so clean paths survive a reload in both faces.
import { matchRoute, type Route } from './routes';

class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  route: Route = $derived(matchRoute(this.path));

  constructor() {
    window.addEventListener('popstate', () => this.sync());
  }

  private sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }

  navigate(to: string, options: { replace?: boolean } = {}): void {
    if (to === location.pathname + location.search) return;
    if (options.replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    this.sync();
    window.scrollTo(0, 0);
  }

  back(fallback = '/'): void {
    if (history.length > 1) history.back();
    else this.navigate(fallback);
  }
}

export const router = new Router();

/**
 * Lets plain `<a href="/...">` links route inside the app: same-origin, left click, no
 * modifier, no target. Installed once on the document by App.svelte.
 */
export function interceptLinks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  router.navigate(url.pathname + url.search);
}
