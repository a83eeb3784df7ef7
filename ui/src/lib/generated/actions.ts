// Generated from desk-core's action list (crates/desk-core/src/actions.rs) by
// scripts/generate-types.sh. Do not edit.

import type { AccountSummary } from './AccountSummary';
import type { AccountSummaryRequest } from './AccountSummaryRequest';
import type { AlertAcknowledgeRequest } from './AlertAcknowledgeRequest';
import type { AlertNoticeRequest } from './AlertNoticeRequest';
import type { AlertResolveCheckRequest } from './AlertResolveCheckRequest';
import type { AlertShowRequest } from './AlertShowRequest';
import type { AlertShown } from './AlertShown';
import type { AlertSnoozeRequest } from './AlertSnoozeRequest';
import type { AlertView } from './AlertView';
import type { AlertsChanged } from './AlertsChanged';
import type { AlertsListRequest } from './AlertsListRequest';
import type { AlertsPage } from './AlertsPage';
import type { AppStatus } from './AppStatus';
import type { AppStatusRequest } from './AppStatusRequest';
import type { Catalog } from './Catalog';
import type { CaughtUp } from './CaughtUp';
import type { Connection } from './Connection';
import type { ConnectionActivateRequest } from './ConnectionActivateRequest';
import type { ConnectionCounts } from './ConnectionCounts';
import type { ConnectionCreateRequest } from './ConnectionCreateRequest';
import type { ConnectionCreated } from './ConnectionCreated';
import type { ConnectionDisconnectRequest } from './ConnectionDisconnectRequest';
import type { ConnectionOutcome } from './ConnectionOutcome';
import type { ConnectionReauthorizeRequest } from './ConnectionReauthorizeRequest';
import type { ConnectionReauthorized } from './ConnectionReauthorized';
import type { ConnectionShowRequest } from './ConnectionShowRequest';
import type { ConnectionSyncRequest } from './ConnectionSyncRequest';
import type { ConnectionTestRequest } from './ConnectionTestRequest';
import type { ConnectionTokenIssueRequest } from './ConnectionTokenIssueRequest';
import type { ConnectionTokenSetRequest } from './ConnectionTokenSetRequest';
import type { ConnectionTokenShowRequest } from './ConnectionTokenShowRequest';
import type { ConnectionTokenState } from './ConnectionTokenState';
import type { ConnectionView } from './ConnectionView';
import type { ConnectionsListRequest } from './ConnectionsListRequest';
import type { ConnectionsPage } from './ConnectionsPage';
import type { CreditsRequest } from './CreditsRequest';
import type { CreditsView } from './CreditsView';
import type { Customer } from './Customer';
import type { CustomerCreateRequest } from './CustomerCreateRequest';
import type { CustomerDetail } from './CustomerDetail';
import type { CustomerShowRequest } from './CustomerShowRequest';
import type { CustomersListRequest } from './CustomersListRequest';
import type { CustomersPage } from './CustomersPage';
import type { DeliveriesResendRequest } from './DeliveriesResendRequest';
import type { DeliveriesResent } from './DeliveriesResent';
import type { DeliveriesView } from './DeliveriesView';
import type { ExportReport } from './ExportReport';
import type { ForwardOutcome } from './ForwardOutcome';
import type { IdleConnections } from './IdleConnections';
import type { IdleConnectionsRequest } from './IdleConnectionsRequest';
import type { InboxCatchUpRequest } from './InboxCatchUpRequest';
import type { LedgerListRequest } from './LedgerListRequest';
import type { LedgerPage } from './LedgerPage';
import type { LogsFolder } from './LogsFolder';
import type { LogsFolderRequest } from './LogsFolderRequest';
import type { MagicLink } from './MagicLink';
import type { MagicLinkCreateRequest } from './MagicLinkCreateRequest';
import type { MaintenanceWindowAddRequest } from './MaintenanceWindowAddRequest';
import type { MaintenanceWindowRemoveRequest } from './MaintenanceWindowRemoveRequest';
import type { Notice } from './Notice';
import type { ParityReport } from './ParityReport';
import type { ParityRequest } from './ParityRequest';
import type { Profile } from './Profile';
import type { ProfileAddRequest } from './ProfileAddRequest';
import type { ProfileSwitchRequest } from './ProfileSwitchRequest';
import type { ProfilesListRequest } from './ProfilesListRequest';
import type { ProfilesView } from './ProfilesView';
import type { RecordPage } from './RecordPage';
import type { RecordQuery } from './RecordQuery';
import type { RecordSources } from './RecordSources';
import type { RecordSourcesRequest } from './RecordSourcesRequest';
import type { RecordsExportRequest } from './RecordsExportRequest';
import type { RecordsView } from './RecordsView';
import type { ReplayOutcome } from './ReplayOutcome';
import type { SandboxAccountRequest } from './SandboxAccountRequest';
import type { SandboxFaultRequest } from './SandboxFaultRequest';
import type { Settings } from './Settings';
import type { SettingsShowRequest } from './SettingsShowRequest';
import type { Statement } from './Statement';
import type { StatementRequest } from './StatementRequest';
import type { SupportBundle } from './SupportBundle';
import type { SupportBundleRequest } from './SupportBundleRequest';
import type { SyncReport } from './SyncReport';
import type { SyncRunRequest } from './SyncRunRequest';
import type { SystemsListRequest } from './SystemsListRequest';
import type { TestResult } from './TestResult';
import type { TestSent } from './TestSent';
import type { WebhookDeliveriesRequest } from './WebhookDeliveriesRequest';
import type { WebhookEdit } from './WebhookEdit';
import type { WebhookResendRequest } from './WebhookResendRequest';
import type { WebhookShowRequest } from './WebhookShowRequest';
import type { WebhookTestRequest } from './WebhookTestRequest';
import type { WebhookView } from './WebhookView';
import type { WebhooksExportRequest } from './WebhooksExportRequest';
import type { WebhooksExported } from './WebhooksExported';
import type { WebhooksForwardRequest } from './WebhooksForwardRequest';
import type { WebhooksListRequest } from './WebhooksListRequest';
import type { WebhooksReplayRequest } from './WebhooksReplayRequest';
import type { WebhooksView } from './WebhooksView';

/** Every action: its request and response. */
export type Actions = {
  app_status: { request: AppStatusRequest; response: AppStatus };
  account_summary: { request: AccountSummaryRequest; response: AccountSummary };
  credits_view: { request: CreditsRequest; response: CreditsView };
  sync_run: { request: SyncRunRequest; response: SyncReport };
  ledger_list: { request: LedgerListRequest; response: LedgerPage };
  credit_statement: { request: StatementRequest; response: Statement };
  idle_connections: { request: IdleConnectionsRequest; response: IdleConnections };
  settings_show: { request: SettingsShowRequest; response: Settings };
  settings_update: { request: Settings; response: Settings };
  logs_folder: { request: LogsFolderRequest; response: LogsFolder };
  support_bundle: { request: SupportBundleRequest; response: SupportBundle };
  parity_check: { request: ParityRequest; response: ParityReport };
  customers_list: { request: CustomersListRequest; response: CustomersPage };
  customer_show: { request: CustomerShowRequest; response: CustomerDetail };
  customer_create: { request: CustomerCreateRequest; response: Customer };
  connections_list: { request: ConnectionsListRequest; response: ConnectionsPage };
  connections_counts: { request: ConnectionsListRequest; response: ConnectionCounts };
  connection_show: { request: ConnectionShowRequest; response: ConnectionView };
  connection_create: { request: ConnectionCreateRequest; response: ConnectionCreated };
  connection_test: { request: ConnectionTestRequest; response: TestResult };
  connection_reauthorize: { request: ConnectionReauthorizeRequest; response: ConnectionReauthorized };
  connection_activate: { request: ConnectionActivateRequest; response: ConnectionOutcome };
  connection_disconnect: { request: ConnectionDisconnectRequest; response: ConnectionOutcome };
  connection_sync: { request: ConnectionSyncRequest; response: SyncReport };
  magic_link_create: { request: MagicLinkCreateRequest; response: MagicLink };
  connection_token_show: { request: ConnectionTokenShowRequest; response: ConnectionTokenState };
  connection_token_set: { request: ConnectionTokenSetRequest; response: ConnectionTokenState };
  connection_token_issue: { request: ConnectionTokenIssueRequest; response: ConnectionTokenState };
  systems_list: { request: SystemsListRequest; response: Catalog };
  profiles_list: { request: ProfilesListRequest; response: ProfilesView };
  profile_add: { request: ProfileAddRequest; response: Profile };
  profile_switch: { request: ProfileSwitchRequest; response: Profile };
  records_list: { request: RecordQuery; response: RecordPage };
  records_export: { request: RecordsExportRequest; response: ExportReport };
  records_browse: { request: RecordQuery; response: RecordsView };
  records_sources: { request: RecordSourcesRequest; response: RecordSources };
  webhooks_list: { request: WebhooksListRequest; response: WebhooksView };
  webhook_show: { request: WebhookShowRequest; response: WebhookView };
  webhooks_replay: { request: WebhooksReplayRequest; response: ReplayOutcome };
  webhooks_forward: { request: WebhooksForwardRequest; response: ForwardOutcome };
  webhook_resend_edited: { request: WebhookResendRequest; response: WebhookEdit };
  webhook_send_test: { request: WebhookTestRequest; response: TestSent };
  webhooks_export: { request: WebhooksExportRequest; response: WebhooksExported };
  webhook_deliveries: { request: WebhookDeliveriesRequest; response: DeliveriesView };
  webhook_deliveries_resend: { request: DeliveriesResendRequest; response: DeliveriesResent };
  inbox_catch_up: { request: InboxCatchUpRequest; response: CaughtUp };
  alerts_list: { request: AlertsListRequest; response: AlertsPage };
  alert_show: { request: AlertShowRequest; response: AlertShown };
  alert_acknowledge: { request: AlertAcknowledgeRequest; response: AlertsChanged };
  alert_snooze: { request: AlertSnoozeRequest; response: AlertView };
  alert_notice: { request: AlertNoticeRequest; response: Notice };
  alert_resolve_check: { request: AlertResolveCheckRequest; response: AlertView };
  maintenance_window_add: { request: MaintenanceWindowAddRequest; response: Settings };
  maintenance_window_remove: { request: MaintenanceWindowRemoveRequest; response: Settings };
  sandbox_fault: { request: SandboxFaultRequest; response: Connection };
  sandbox_account: { request: SandboxAccountRequest; response: AccountSummary };
};

export type ActionName = keyof Actions;

/** The action names, in the order of desk-core's list. */
export const ACTION_NAMES = [
  'app_status',
  'account_summary',
  'credits_view',
  'sync_run',
  'ledger_list',
  'credit_statement',
  'idle_connections',
  'settings_show',
  'settings_update',
  'logs_folder',
  'support_bundle',
  'parity_check',
  'customers_list',
  'customer_show',
  'customer_create',
  'connections_list',
  'connections_counts',
  'connection_show',
  'connection_create',
  'connection_test',
  'connection_reauthorize',
  'connection_activate',
  'connection_disconnect',
  'connection_sync',
  'magic_link_create',
  'connection_token_show',
  'connection_token_set',
  'connection_token_issue',
  'systems_list',
  'profiles_list',
  'profile_add',
  'profile_switch',
  'records_list',
  'records_export',
  'records_browse',
  'records_sources',
  'webhooks_list',
  'webhook_show',
  'webhooks_replay',
  'webhooks_forward',
  'webhook_resend_edited',
  'webhook_send_test',
  'webhooks_export',
  'webhook_deliveries',
  'webhook_deliveries_resend',
  'inbox_catch_up',
  'alerts_list',
  'alert_show',
  'alert_acknowledge',
  'alert_snooze',
  'alert_notice',
  'alert_resolve_check',
  'maintenance_window_add',
  'maintenance_window_remove',
  'sandbox_fault',
  'sandbox_account',
] as const satisfies readonly ActionName[];
