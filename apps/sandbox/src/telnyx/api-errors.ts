/**
 * Telnyx API v2 error bodies: `{"errors":[{"code","title","detail","source"?}]}` with the code as a
 * string. Codes and titles come from Telnyx's error reference and observed responses:
 * 90018 "Call has already ended" (422, quoted in pipecat PR #2054), 90034 "Call not answered yet"
 * (quoted in telnyx-python issue #38), 90015 "Invalid Call Control ID", 10009 "Authentication failed",
 * 10004 "Missing required parameter", 10007 "Unexpected error", 10005 "Resource not found",
 * 10023 "Invalid JSON". The HTTP statuses of 90015 and 10023 are not documented (422 / 400 assumed).
 */
export interface ApiErrorBody {
  errors: Array<{ code: string; title: string; detail: string; source?: { pointer: string } }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly pointer?: string,
  ) {
    super(`${status} ${code} ${title}`);
    this.name = 'ApiError';
  }

  body(): ApiErrorBody {
    return { errors: [{ code: this.code, title: this.title, detail: this.detail, ...(this.pointer ? { source: { pointer: this.pointer } } : {}) }] };
  }
}

export const callEnded = () => new ApiError(422, '90018', 'Call has already ended', "This call is no longer active and can't receive commands.");

export const notAnswered = (command: string) =>
  new ApiError(422, '90034', 'Call not answered yet', `This call can't receive ${command} command because it has not been answered yet.`);

export const invalidCallControlId = () => new ApiError(422, '90015', 'Invalid Call Control ID', 'The provided call_control_id was not valid.');

export const authenticationFailed = () =>
  new ApiError(401, '10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.');

export const missingParameter = (name: string) =>
  new ApiError(422, '10004', 'Missing required parameter', `The '${name}' parameter is required.`, `/${name}`);

export const invalidParameter = (name: string, detail: string) => new ApiError(422, '10015', 'Bad Request', detail, `/${name}`);

export const invalidJson = () => new ApiError(400, '10023', 'Invalid JSON', 'The supplied JSON is invalid.');

export const notFound = () => new ApiError(404, '10005', 'Resource not found', 'The requested resource or URL could not be found.');

export const unexpectedError = (status: number) => new ApiError(status, '10007', 'Unexpected error', 'An unexpected error occured.');
