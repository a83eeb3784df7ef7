//! Every user action, declared once.
//!
//! An action is one async fn `name(&Desk, Request) -> Result<Response, CoreError>` over typed
//! structs. [`for_each_action!`] lists them all; each face expands that one list into its own
//! adapters, so an action cannot exist for one face and be missing from another:
//!
//! - desk-server: one `POST /api/actions/{name}` route per action (browser mode);
//! - src-tauri: one Tauri command per action (the window);
//! - [`typescript`]: the TypeScript types and the `Actions` map the UI calls through;
//! - the CLI calls the functions directly.
//!
//! Modules are grouped by noun: the app and its account, customers, connections (reads),
//! lifecycle (changes on the platform), catalog, profiles, records.

mod account;
mod alerts;
mod catalog;
mod connections;
mod credits;
mod customers;
mod deliveries;
mod health;
mod lifecycle;
mod parity;
mod profiles;
mod records;
mod settings;
mod support;
mod timeline;
mod tokens;
pub mod typescript;
mod webhooks;

pub use account::*;
pub use alerts::*;
pub use catalog::*;
pub use connections::*;
pub use credits::*;
pub use customers::*;
pub use deliveries::*;
pub use health::Health;
pub use lifecycle::*;
pub use parity::*;
pub use profiles::*;
pub use records::*;
pub use settings::*;
pub use support::*;
pub use timeline::*;
pub use tokens::*;
pub use webhooks::*;

/// Calls `$callback! { name(Request) -> Response, ... }` with every action. The callback must
/// be a macro in scope at the call site; request and response names resolve in
/// `desk_core::actions`.
#[macro_export]
macro_rules! for_each_action {
    ($callback:ident) => {
        $callback! {
            // The app, the account and its credit pool.
            app_status(AppStatusRequest) -> AppStatus,
            account_summary(AccountSummaryRequest) -> AccountSummary,
            credits_view(CreditsRequest) -> CreditsView,
            sync_run(SyncRunRequest) -> SyncReport,
            ledger_list(LedgerListRequest) -> LedgerPage,
            credit_statement(StatementRequest) -> Statement,
            idle_connections(IdleConnectionsRequest) -> IdleConnections,
            // The app's settings.
            settings_show(SettingsShowRequest) -> Settings,
            settings_update(Settings) -> Settings,
            // Helping a user: the logs folder and the redacted support bundle.
            logs_folder(LogsFolderRequest) -> LogsFolder,
            support_bundle(SupportBundleRequest) -> SupportBundle,
            // The same read-only checks against two profiles (`mdesk parity`).
            parity_check(ParityRequest) -> ParityReport,
            // Customers.
            customers_list(CustomersListRequest) -> CustomersPage,
            customer_show(CustomerShowRequest) -> CustomerDetail,
            customer_create(CustomerCreateRequest) -> Customer,
            // Connections: reads from the mirror.
            connections_list(ConnectionsListRequest) -> ConnectionsPage,
            connections_counts(ConnectionsListRequest) -> ConnectionCounts,
            connection_show(ConnectionShowRequest) -> ConnectionView,
            // Connections: changes on the platform, mirrored at once.
            connection_create(ConnectionCreateRequest) -> ConnectionCreated,
            connection_test(ConnectionTestRequest) -> TestResult,
            connection_reauthorize(ConnectionReauthorizeRequest) -> ConnectionReauthorized,
            connection_activate(ConnectionActivateRequest) -> ConnectionOutcome,
            connection_disconnect(ConnectionDisconnectRequest) -> ConnectionOutcome,
            connection_sync(ConnectionSyncRequest) -> SyncReport,
            magic_link_create(MagicLinkCreateRequest) -> MagicLink,
            // The token the app reads a connection's records with.
            connection_token_show(ConnectionTokenShowRequest) -> ConnectionTokenState,
            connection_token_set(ConnectionTokenSetRequest) -> ConnectionTokenState,
            connection_token_issue(ConnectionTokenIssueRequest) -> ConnectionTokenState,
            // The catalog of systems.
            systems_list(SystemsListRequest) -> Catalog,
            // Profiles.
            profiles_list(ProfilesListRequest) -> ProfilesView,
            profile_add(ProfileAddRequest) -> Profile,
            profile_switch(ProfileSwitchRequest) -> Profile,
            // Offline records.
            records_list(RecordQuery) -> RecordPage,
            records_export(RecordsExportRequest) -> ExportReport,
            records_browse(RecordQuery) -> RecordsView,
            records_sources(RecordSourcesRequest) -> RecordSources,
            // The webhook inspector.
            webhooks_list(WebhooksListRequest) -> WebhooksView,
            webhook_show(WebhookShowRequest) -> WebhookView,
            webhooks_replay(WebhooksReplayRequest) -> ReplayOutcome,
            webhooks_forward(WebhooksForwardRequest) -> ForwardOutcome,
            webhook_resend_edited(WebhookResendRequest) -> WebhookEdit,
            webhook_send_test(WebhookTestRequest) -> TestSent,
            webhooks_export(WebhooksExportRequest) -> WebhooksExported,
            webhook_deliveries(WebhookDeliveriesRequest) -> DeliveriesView,
            webhook_deliveries_resend(DeliveriesResendRequest) -> DeliveriesResent,
            inbox_catch_up(InboxCatchUpRequest) -> CaughtUp,
            // Alerts: the queue, one alert, its lifecycle, the customer notice.
            alerts_list(AlertsListRequest) -> AlertsPage,
            alert_show(AlertShowRequest) -> AlertShown,
            alert_acknowledge(AlertAcknowledgeRequest) -> AlertsChanged,
            alert_snooze(AlertSnoozeRequest) -> AlertView,
            alert_notice(AlertNoticeRequest) -> Notice,
            alert_resolve_check(AlertResolveCheckRequest) -> AlertView,
            maintenance_window_add(MaintenanceWindowAddRequest) -> Settings,
            maintenance_window_remove(MaintenanceWindowRemoveRequest) -> Settings,
            // The local engine's sandbox: faults that open (and heal) alerts.
            sandbox_fault(SandboxFaultRequest) -> Connection,
            sandbox_account(SandboxAccountRequest) -> AccountSummary,
        }
    };
}

// Types the list names that live in other crates, so every name resolves in this module.
pub use crate::offline::{CreditsView, ExportReport};
pub use crate::settings::Settings;
pub use crate::sync::SyncReport;
pub use desk_inbox::WebhookEdit;
pub use desk_platform::connection::{Connection, MagicLink, TestResult};
pub use desk_platform::customer::Customer;
pub use desk_store::Statement;
pub use desk_store::{Profile, RecordPage, RecordQuery};

/// The names of every action, in list order.
pub const NAMES: &[&str] = {
    macro_rules! names {
        ($($name:ident($request:ident) -> $response:ident),* $(,)?) => {
            &[$(stringify!($name)),*]
        };
    }
    for_each_action!(names)
};
