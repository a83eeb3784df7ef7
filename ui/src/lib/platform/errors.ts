import type { ActionError, Code, NextStep } from './contract';

/**
 * Codes the UI itself produces when no ActionError came back: the app could not be reached
 * (the `mdesk serve` process stopped, the network dropped), or it answered something that is
 * not the contract. Defined here only, so screens switch on them like on the core's codes.
 */
export const CLIENT_CODE = {
  unreachable: 'DESK_UNREACHABLE',
  badAnswer: 'DESK_BAD_ANSWER',
} as const;
export type ClientCode = (typeof CLIENT_CODE)[keyof typeof CLIENT_CODE];

/** An ActionError, or one the client made up with a client code. */
export type UiError = Omit<ActionError, 'code'> & { code: Code | ClientCode };

/** What every `call` rejects with; the UI reads `error.code` and `error.next_step`. */
export class ActionFailure extends Error {
  constructor(
    readonly action: string,
    readonly error: UiError,
  ) {
    super(error.message);
    this.name = 'ActionFailure';
  }

  get code(): UiError['code'] {
    return this.error.code;
  }

  get nextStep(): NextStep | null {
    return this.error.next_step;
  }
}

export function isActionError(value: unknown): value is ActionError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/** Fills the optional fields an older or partial answer may leave out. */
export function normalise(error: ActionError): UiError {
  return {
    code: error.code,
    message: error.message,
    request_id: error.request_id ?? null,
    next_step: error.next_step ?? null,
    retry_after_seconds: error.retry_after_seconds ?? null,
  };
}

export function clientError(
  code: ClientCode,
  message: string,
  extra: Partial<Pick<UiError, 'request_id' | 'next_step'>> = {},
): UiError {
  return {
    code,
    message,
    request_id: extra.request_id ?? null,
    next_step: extra.next_step ?? null,
    retry_after_seconds: null,
  };
}

/** Any thrown value as an ActionFailure: screens never see a bare Error from a call. */
export function asFailure(action: string, thrown: unknown): ActionFailure {
  if (thrown instanceof ActionFailure) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new ActionFailure(action, clientError(CLIENT_CODE.badAnswer, message));
}
