import { BusMessage, MessageType, schemas } from './messages';

/** A stream entry as ioredis returns it: [field, value, field, value, ...]. */
export type FlatFields = string[];

export type DecodeResult = { ok: true; message: BusMessage } | { ok: false; reason: string };

/** Message → flat XADD fields. `type` goes first so `XRANGE` output reads naturally. */
export function encodeMessage(message: BusMessage): FlatFields {
  const fields: FlatFields = ['type', message.type];
  for (const [key, value] of Object.entries(message)) {
    if (key === 'type' || value === undefined || value === null) continue;
    fields.push(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return fields;
}

export function fieldsToRecord(fields: FlatFields): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  return record;
}

/** Flat fields → a validated message, or the reason it is not one (for the dead-letter entry). */
export function decodeMessage(fields: FlatFields | Record<string, string>): DecodeResult {
  const record = Array.isArray(fields) ? fieldsToRecord(fields) : fields;
  const type = record.type;
  if (typeof type !== 'string' || !(type in schemas)) {
    return { ok: false, reason: `unknown message type ${JSON.stringify(type ?? null)}` };
  }
  const parsed = schemas[type as MessageType].safeParse(record);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `invalid ${type}: ${issues}` };
  }
  return { ok: true, message: parsed.data as BusMessage };
}

/** Builds a message with compile-time checking of its fields. */
export function message<T extends MessageType>(
  type: T,
  fields: Omit<Extract<BusMessage, { type: T }>, 'type'>,
): Extract<BusMessage, { type: T }> {
  return { type, ...fields } as Extract<BusMessage, { type: T }>;
}
