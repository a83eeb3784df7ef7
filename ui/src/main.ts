import './style.css';
import { engineStatus, PlatformError, type EngineStatus } from './lib/platform';

const root = document.querySelector<HTMLDivElement>('#app');

/** Builds an element with a class and children (text or elements), no innerHTML. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

const number = new Intl.NumberFormat('en-US');

function header(status: EngineStatus | null): HTMLElement {
  const mark = el('img', 'mark');
  mark.src = '/mark.png';
  mark.alt = '';
  const source = status
    ? el('span', 'source', el('span', 'dot'), 'Local engine ', el('code', '', status.base_url))
    : el('span', 'source muted', 'Starting the local engine…');
  return el('header', 'topbar', el('div', 'brand', mark, el('span', 'product', 'Makini Desk')), source);
}

function stat(label: string, value: number, hint: string, tone: string): HTMLElement {
  return el(
    'div',
    `stat ${tone}`,
    el('div', 'stat-label', label),
    el('div', 'stat-value', number.format(value)),
    el('div', 'stat-hint', hint),
  );
}

function poolBar(purchased: number, inUse: number, overage: number): HTMLElement {
  const total = Math.max(purchased, inUse) + overage || 1;
  const used = el('div', 'bar-used');
  used.style.setProperty('width', `${(100 * Math.min(inUse, purchased)) / total}%`);
  const over = el('div', 'bar-over');
  over.style.setProperty('width', `${(100 * overage) / total}%`);
  const bar = el('div', 'bar', used, over);
  bar.setAttribute('role', 'img');
  bar.setAttribute(
    'aria-label',
    `${inUse} of ${purchased} credits in use${overage ? `, ${overage} in overage` : ''}`,
  );
  return bar;
}

function accountView(status: EngineStatus): HTMLElement {
  const { account } = status;
  const c = account.credits;
  const plan = el('span', `badge plan-${account.plan}`, account.plan === 'paid' ? 'Paid plan' : 'Trial');
  const identity = el(
    'section',
    'card account',
    el('div', 'eyebrow', 'Account'),
    el('h1', '', account.name, plan),
    el('div', 'meta', el('span', '', 'Region ', el('strong', '', account.region)), el('span', '', 'ID ', el('code', '', account.id))),
  );
  const usedPct = c.purchased > 0 ? Math.round((100 * c.in_use) / c.purchased) : 0;
  const pool = el(
    'section',
    'card pool',
    el(
      'div',
      'pool-head',
      el('div', '', el('div', 'eyebrow', 'Connection credits'), el('h2', '', 'Credit pool')),
      el('div', 'pool-summary', `${usedPct}% of purchased credits in use`),
    ),
    poolBar(c.purchased, c.in_use, c.overage_in_use),
    el(
      'div',
      'stats',
      stat('Purchased', c.purchased, 'bought for this account', 'neutral'),
      stat('In use', c.in_use, 'held by active connections', 'used'),
      stat('Available', c.available, 'free for new connections', c.available > 0 ? 'good' : 'warn'),
      stat('Overage', c.overage_in_use, c.overage_in_use > 0 ? 'credits used past the pool' : 'none', c.overage_in_use > 0 ? 'over' : 'neutral'),
    ),
  );
  return el('main', 'content', identity, pool);
}

function errorView(err: unknown): HTMLElement {
  const code = err instanceof PlatformError ? err.code : 'UNEXPECTED';
  const message = err instanceof Error ? err.message : String(err);
  const retry = el('button', 'retry', 'Try again');
  retry.addEventListener('click', () => void load());
  return el(
    'main',
    'content',
    el('section', 'card problem', el('div', 'eyebrow', code), el('h2', '', 'The local engine is not answering'), el('p', '', message), retry),
  );
}

function render(...nodes: HTMLElement[]): void {
  root?.replaceChildren(...nodes);
}

async function load(): Promise<void> {
  render(header(null), el('main', 'content', el('section', 'card loading', el('div', 'spinner'), 'Reading the account…')));
  try {
    const status = await engineStatus();
    render(header(status), accountView(status));
  } catch (err) {
    render(header(null), errorView(err));
  }
}

void load();
