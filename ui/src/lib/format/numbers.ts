const integer = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** 12,345 */
export function count(n: number | null | undefined): string {
  return n == null ? '—' : integer.format(n);
}

/** 12.3K, for tight cells where the exact figure is in the tooltip. */
export function compactCount(n: number): string {
  return n < 10000 ? integer.format(n) : compact.format(n);
}

/** "1 credit", "4 credits". */
export function credits(n: number): string {
  return `${integer.format(n)} ${Math.abs(n) === 1 ? 'credit' : 'credits'}`;
}

/** "1 record", "12,000 records" (and other simple English plurals). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${integer.format(n)} ${n === 1 ? one : many}`;
}

/** Share of the pool as a whole percent, 0 when there is no pool. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round((100 * part) / whole);
}

/** "Tier I" .. "Tier III"; "—" when unknown. */
export function tier(n: number | null | undefined): string {
  const names = ['I', 'II', 'III'];
  return n != null && names[n - 1] ? `Tier ${names[n - 1]}` : '—';
}

/** The words for an entity or enum value: "purchase_orders" -> "Purchase orders". */
export function words(id: string): string {
  const spaced = id.replace(/[_.-]+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
