// The one door to the types that cross from Rust (ts-rs output in $lib/generated, written by
// scripts/generate-types.sh; never edited here). Screens import them from here.
import type { Actions } from '$lib/generated/actions';

export type { Actions } from '$lib/generated/actions';
export { ACTION_NAMES } from '$lib/generated/actions';
export type { AccountSummary } from '$lib/generated/AccountSummary';
export type { ActionError } from '$lib/generated/ActionError';
export type { AppStatus } from '$lib/generated/AppStatus';
export type { Authorization } from '$lib/generated/Authorization';
export type { Catalog } from '$lib/generated/Catalog';
export type { Category } from '$lib/generated/Category';
export type { Code } from '$lib/generated/Code';
export type { Connection } from '$lib/generated/Connection';
export type { ConnectionCreated } from '$lib/generated/ConnectionCreated';
export type { ConnectionOutcome } from '$lib/generated/ConnectionOutcome';
export type { ConnectionReauthorized } from '$lib/generated/ConnectionReauthorized';
export type { ConnectionRow } from '$lib/generated/ConnectionRow';
export type { ConnectionsListRequest } from '$lib/generated/ConnectionsListRequest';
export type { ConnectionSort } from '$lib/generated/ConnectionSort';
export type { ConnectionStatus } from '$lib/generated/ConnectionStatus';
export type { ConnectionView } from '$lib/generated/ConnectionView';
export type { CreditForecast } from '$lib/generated/CreditForecast';
export type { Credits } from '$lib/generated/Credits';
export type { CreditShare } from '$lib/generated/CreditShare';
export type { CreditsView } from '$lib/generated/CreditsView';
export type { Customer } from '$lib/generated/Customer';
export type { CustomerRow } from '$lib/generated/CustomerRow';
export type { Deployment } from '$lib/generated/Deployment';
export type { DeskEvent } from '$lib/generated/DeskEvent';
export type { EntityMirror } from '$lib/generated/EntityMirror';
export type { EntityReport } from '$lib/generated/EntityReport';
export type { Health } from '$lib/generated/Health';
export type { IdleConnection } from '$lib/generated/IdleConnection';
export type { IdleConnections } from '$lib/generated/IdleConnections';
export type { LedgerLine } from '$lib/generated/LedgerLine';
export type { LedgerPage } from '$lib/generated/LedgerPage';
export type { LedgerReason } from '$lib/generated/LedgerReason';
export type { MagicLink } from '$lib/generated/MagicLink';
export type { NextStep } from '$lib/generated/NextStep';
export type { PlatformReach } from '$lib/generated/PlatformReach';
export type { Profile } from '$lib/generated/Profile';
export type { ProfileKind } from '$lib/generated/ProfileKind';
export type { ProfilesView } from '$lib/generated/ProfilesView';
export type { Settings } from '$lib/generated/Settings';
export type { Statement } from '$lib/generated/Statement';
export type { StatementLine } from '$lib/generated/StatementLine';
export type { SyncReport } from '$lib/generated/SyncReport';
export type { SyncRun } from '$lib/generated/SyncRun';
export type { System } from '$lib/generated/System';
export type { TestResult } from '$lib/generated/TestResult';
export type { TimelineItem } from '$lib/generated/TimelineItem';
export type { TimelineKind } from '$lib/generated/TimelineKind';
/** The core's severity of a timeline item ("neutral" | "good" | "attention" | "broken"). */
export type { Tone as Severity } from '$lib/generated/Tone';

export type ActionName = keyof Actions;
export type ActionRequest<K extends ActionName> = Actions[K]['request'];
export type ActionResponse<K extends ActionName> = Actions[K]['response'];
