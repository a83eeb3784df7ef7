// The credit dashboard's arithmetic, apart from the screen so it is tested on its own: the
// what-if, the pool's history as series, and each ledger entry in words with its calculation.
import { credits, tier } from '$lib/format/numbers';
import type { Deployment, LedgerLine, System } from '$lib/platform';

export interface WhatIf {
  /** Credits one such connection costs. */
  each: number;
  /** All of them, whatever the pool holds. */
  cost: number;
  /** How many the pool takes, in the order they are connected; the rest are created inactive. */
  fit: number;
  inactive: number;
  /** Available after the ones that fit took their credits. */
  after: number;
  /** Credits missing for the rest (0 when all fit). */
  short: number;
}

/** What connecting `count` connections of `system` on `deployment` does to the pool. */
export function whatIf(
  available: number,
  system: Pick<System, 'credits'>,
  deployment: Deployment,
  count: number,
): WhatIf {
  const each = system.credits[deployment];
  const n = Math.max(0, Math.floor(count));
  const cost = each * n;
  const room = Math.max(0, available);
  const fit = each > 0 ? Math.min(n, Math.floor(room / each)) : n;
  return {
    each,
    cost,
    fit,
    inactive: n - fit,
    after: available - fit * each,
    short: Math.max(0, cost - room),
  };
}

export interface PoolSeries {
  /** Unix seconds of each entry, oldest first. */
  at: number[];
  available: number[];
  /** Purchased so far minus available. */
  inUse: number[];
  overage: number[];
  /** The entry behind each point, for the explanation under the cursor. */
  lines: LedgerLine[];
}

/** The pool's totals now, for a ledger that holds only its newest entries. */
export interface PoolNow {
  purchased: number;
  overage_in_use: number;
}

/**
 * The pool after every ledger entry, from the platform's own `balance_after`. A ledger cut to
 * its newest entries starts after purchases and overage it does not hold: with `now`, the
 * totals before its first entry are worked back from today's, so "in use" does not start at
 * minus what was bought before.
 */
export function poolSeries(newestFirst: LedgerLine[], now?: PoolNow): PoolSeries {
  const oldest = [...newestFirst].reverse();
  const series: PoolSeries = { at: [], available: [], inUse: [], overage: [], lines: oldest };
  let purchased = 0;
  let overage = 0;
  if (now) {
    const bought = oldest.reduce((n, l) => n + (l.reason === 'purchase' ? l.delta : 0), 0);
    purchased = now.purchased - bought;
    overage = now.overage_in_use - oldest.reduce((n, l) => n + l.overage_delta, 0);
  }
  for (const line of oldest) {
    if (line.reason === 'purchase') purchased += line.delta;
    overage += line.overage_delta;
    series.at.push(Date.parse(line.at) / 1000);
    series.available.push(line.balance_after);
    series.inUse.push(purchased - line.balance_after);
    series.overage.push(overage);
  }
  return series;
}

const REASONS: Record<LedgerLine['reason'], string> = {
  purchase: 'Credits bought',
  connect: 'Connected',
  activate: 'Activated',
  disconnect: 'Disconnected',
  overage: 'Runs in overage',
};

export function reasonLabel(reason: LedgerLine['reason']): string {
  return REASONS[reason];
}

/** "Tier III · on-premises = 8 credits": the rule behind a connection's cost. */
export function costRule(
  line: Pick<LedgerLine, 'tier' | 'deployment' | 'delta' | 'overage_delta'>,
): string {
  const amount = Math.abs(line.delta) || Math.abs(line.overage_delta);
  const parts = [line.tier != null ? tier(line.tier) : null, deploymentLabel(line.deployment)];
  const rule = parts.filter(Boolean).join(' · ');
  return rule ? `${rule} = ${credits(amount)}` : credits(amount);
}

export function deploymentLabel(deployment: string | null | undefined): string | null {
  if (deployment === 'on_premises') return 'on-premises';
  if (deployment === 'cloud') return 'cloud';
  return deployment ?? null;
}

/** One entry in a sentence: what happened, to which connection, and what it did to the pool. */
export function explain(line: LedgerLine, systemName: (id: string | null) => string): string {
  if (line.reason === 'purchase')
    return `${credits(line.delta)} bought; ${line.balance_after} available after`;
  const what = line.connection_name ?? line.connection_id ?? 'a connection';
  const system = line.system_id ? ` (${systemName(line.system_id)})` : '';
  const whose = line.customer_name ? ` for ${line.customer_name}` : '';
  const effect =
    line.overage_delta !== 0
      ? `${line.overage_delta > 0 ? '+' : ''}${line.overage_delta} overage`
      : `${line.delta > 0 ? '+' : ''}${line.delta} to the pool`;
  return `${reasonLabel(line.reason)}: ${what}${system}${whose}. ${costRule(line)}, ${effect}; ${line.balance_after} available after`;
}

/** The months a statement can be asked for, newest first, from the first entry to now. */
export function statementMonths(oldestEntryAt: string | null, now: Date): string[] {
  const end = { y: now.getUTCFullYear(), m: now.getUTCMonth() + 1 };
  const first = oldestEntryAt ? new Date(oldestEntryAt) : now;
  let y = first.getUTCFullYear();
  let m = first.getUTCMonth() + 1;
  const months: string[] = [];
  while (y < end.y || (y === end.y && m <= end.m)) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return months.reverse();
}

/** "November 2026" for "2026-11". */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number);
  if (!y || !m) return month;
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** A share of a total in whole percent, and "<1%" for a part that would round to nothing. */
export function sharePercent(part: number, total: number): string {
  if (!total || !part) return '0%';
  const percent = Math.round((100 * part) / total);
  return percent === 0 ? '<1%' : `${percent}%`;
}
