// The one door to the types that cross from Rust. Everything in the UI imports them from here,
// so switching from the provisional stand-in to the generated files is a change to this file.
export * from './provisional';
import type { Actions } from './provisional';

export type ActionName = keyof Actions;
export type ActionRequest<K extends ActionName> = Actions[K]['request'];
export type ActionResponse<K extends ActionName> = Actions[K]['response'];
