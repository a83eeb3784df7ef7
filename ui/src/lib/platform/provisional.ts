// PROVISIONAL: a stand-in for ui/src/lib/generated (ts-rs output from the Rust action layer),
// shaped after the Rust structs on main (desk-platform, desk-store, desk-core) so the screens
// can be written before the generator lands. contract.ts is the only importer; when the
// generated files arrive, contract.ts re-exports them instead and this file is deleted.

export type Code = string;
export type NextStep =
  | 'retry'
  | 'reauthorize'
  | 'open_connection'
  | 'add_profile'
  | 'unlock_vault'
  | 'fix_input'
  | 'confirm'
  | 'activate'
  | 'sync'
  | 'reload';

export type ActionError = {
  code: Code;
  message: string;
  request_id: string | null;
  next_step: NextStep | null;
  retry_after_seconds: number | null;
};

export type ConnectionStatus =
  'pending' | 'synchronizing' | 'in_progress' | 'active' | 'inactive' | 'overage' | 'disconnected';
export type Deployment = 'cloud' | 'on_premises';
export type Plan = 'trial' | 'paid';

export type CreditBalance = {
  purchased: number;
  in_use: number;
  available: number;
  overage_in_use: number;
};
export type Account = {
  id: string;
  name: string;
  plan: Plan;
  region: string;
  credits: CreditBalance;
};

export type Connection = {
  profile: string;
  tier: number | null;
  id: string;
  customer_id: string;
  system_id: string | null;
  deployment: Deployment | null;
  name: string;
  email: string | null;
  credits: number;
  status: ConnectionStatus;
  online: boolean;
  reauthorization_required: boolean;
  connected_at: string | null;
  authorized_by: string | null;
  token_issued_at: string | null;
  last_sync_at: string | null;
  next_sync_at: string | null;
  created_at: string;
};
export type ConnectionRow = Connection & {
  customer_name: string | null;
  account_manager: string | null;
  system_name: string | null;
};
export type Customer = {
  id: string;
  name: string;
  email: string | null;
  account_manager: string | null;
  created_at: string;
};
export type CustomerRow = Customer & { connections: number; credits: number };

export type SyncRunState = 'running' | 'completed' | 'failed' | 'interrupted';
export type SyncRun = {
  id: number;
  connection_id: string;
  entity: string;
  started_at: string;
  finished_at: string | null;
  state: SyncRunState;
  records: number;
  error: string | null;
};
export type EntityMirror = {
  entity: string;
  records: number;
  unfinished: boolean;
  high_water: string | null;
  updated_at: string;
};
export type TimelineEntry = {
  id: string;
  type: string;
  created_at: string;
  data: unknown;
};
export type Authorization = { authorized_by: string | null; token_issued_at: string };
export type ConnectionDetail = ConnectionRow & {
  customer: Customer | null;
  entities: EntityMirror[];
  sync_runs: SyncRun[];
  events: TimelineEntry[];
  authorizations: Authorization[];
};

export type HealthCounts = { status: Record<string, number>; health: Record<string, number> };
export type SortKey = string;

export type Profile = { name: string; kind: 'local' | 'cloud' | 'self_hosted'; url: string | null };
export type AppStatus = { profile: Profile | null; online: boolean };

export type DeskEvent =
  | { type: 'sync_started'; profile: string }
  | {
      type: 'records_pulled';
      profile: string;
      connection_id: string;
      entity: string;
      records: number;
      resumed: boolean;
    }
  | {
      type: 'entity_synced';
      profile: string;
      connection_id: string;
      entity: string;
      records: number;
      state: string;
      error: string | null;
    }
  | { type: 'connection_skipped'; profile: string; connection_id: string; reason: string }
  | { type: 'sync_finished'; profile: string; records: number; failures: number };

export type ConnectionsListRequest = {
  search?: string | null;
  status?: ConnectionStatus[] | null;
  health?: string[] | null;
  customer_id?: string | null;
  sort?: SortKey | null;
  descending?: boolean;
  offset: number;
  limit: number;
};

export type Actions = {
  app_status: { request: Record<string, never>; response: AppStatus };
  account_summary: { request: Record<string, never>; response: { account: Account } };
  connections_list: {
    request: ConnectionsListRequest;
    response: { rows: ConnectionRow[]; total: number };
  };
  connections_counts: { request: Record<string, never>; response: HealthCounts };
  customers_list: {
    request: { search?: string | null; offset: number; limit: number };
    response: { rows: CustomerRow[]; total: number };
  };
  connection_show: { request: { id: string }; response: ConnectionDetail };
  connection_sync: {
    request: { id: string; full: boolean };
    response: { records: number; failures: number };
  };
  connection_disconnect: {
    request: { id: string; delete_data: boolean };
    response: { credits_returned: number };
  };
};
export const ACTION_NAMES = [
  'app_status',
  'account_summary',
  'connections_list',
  'connections_counts',
  'customers_list',
  'connection_show',
  'connection_sync',
  'connection_disconnect',
] as const;
