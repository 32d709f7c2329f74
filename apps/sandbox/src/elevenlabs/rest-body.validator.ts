import { DOCUMENTED_OUTPUT_FORMATS } from './output-format';

/**
 * Validation of `POST /v1/text-to-speech/{voice_id}/stream`, answered the way the service's FastAPI
 * stack does: 422 `{"detail":[{"type","loc","msg","input"}]}` (the OpenAPI `HTTPValidationError` /
 * `ValidationError` schema, pydantic-2 wording) for a body or query that does not match the schema,
 * and 400 `{"detail":{"status","message"}}` for a well-formed request the service refuses
 * (`max_character_limit_exceeded` is a documented 400 code).
 */
export interface RestTtsBody {
  text: string;
  model_id?: string;
  voice_settings?: Record<string, unknown> | null;
  previous_text?: string | null;
  next_text?: string | null;
}

export type RestRejection = { ok: false; status: number; json: unknown };
export type RestValidation = { ok: true; body: RestTtsBody } | RestRejection;

interface FieldError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

const unprocessable = (errors: FieldError[]): RestRejection => ({ ok: false, status: 422, json: { detail: errors } });

export function outputFormatError(value: string): RestRejection {
  const expected = DOCUMENTED_OUTPUT_FORMATS.map((f) => `'${f}'`).join(', ');
  return unprocessable([{ type: 'enum', loc: ['query', 'output_format'], msg: `Input should be ${expected}`, input: value }]);
}

function optionalString(body: Record<string, unknown>, field: string, errors: FieldError[]): void {
  const value = body[field];
  if (value !== undefined && value !== null && typeof value !== 'string') {
    errors.push({ type: 'string_type', loc: ['body', field], msg: 'Input should be a valid string', input: value });
  }
}

export function validateRestBody(raw: string, maxTextChars: number): RestValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return unprocessable([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return unprocessable([{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: parsed }]);
  }
  const body = parsed as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (body.text === undefined) errors.push({ type: 'missing', loc: ['body', 'text'], msg: 'Field required', input: body });
  else if (typeof body.text !== 'string') errors.push({ type: 'string_type', loc: ['body', 'text'], msg: 'Input should be a valid string', input: body.text });
  for (const field of ['model_id', 'previous_text', 'next_text']) optionalString(body, field, errors);
  const settings = body.voice_settings;
  if (settings !== undefined && settings !== null && (typeof settings !== 'object' || Array.isArray(settings))) {
    errors.push({ type: 'model_attributes_type', loc: ['body', 'voice_settings'], msg: 'Input should be a valid dictionary or object to extract fields from', input: settings });
  }
  if (errors.length > 0) return unprocessable(errors);
  const text = body.text as string;
  if (text.length > maxTextChars) {
    const message = `You are sending ${text.length} characters in a single request, above the limit of ${maxTextChars}.`;
    return { ok: false, status: 400, json: { detail: { status: 'max_character_limit_exceeded', message } } };
  }
  if (text.trim() === '') {
    // Unconfirmed: the service's answer to empty text is not documented; refusing it is the useful choice.
    return { ok: false, status: 400, json: { detail: { status: 'invalid_text', message: 'The text must contain at least one speakable character.' } } };
  }
  return { ok: true, body: body as unknown as RestTtsBody };
}
