/**
 * OpenAI's error responses: `{"error":{"message","type","param","code"}}` with the HTTP status. The
 * wordings are the API's own, as quoted in client issue trackers (continuedev/continue #10250 for the
 * 401, openai/openai-dotnet #404 for the 429 body, the API's "server had an error" 500).
 */
export interface OpenAiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
  headers?: Record<string, string>;
}

function error(status: number, message: string, type: string, code: string | null, param: string | null = null): OpenAiError {
  return { status, body: { error: { message, type, param, code } } };
}

export function missingApiKey(): OpenAiError {
  return error(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
      '(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you\'re accessing the API ' +
      'from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.',
    'invalid_request_error',
    null,
  );
}

/** The key is echoed masked: first 3 and last 4 characters, stars between. */
export function incorrectApiKey(key: string): OpenAiError {
  const masked = key.length > 7 ? `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}` : '*'.repeat(key.length);
  return error(
    401,
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

export function rateLimited(model: string, retryAfterS: number): OpenAiError {
  const e = error(
    429,
    `Rate limit reached for ${model} in organization org-sandbox on requests per min (RPM): Limit 500, Used 500, Requested 1. ` +
      `Please try again in ${retryAfterS}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    'requests',
    'rate_limit_exceeded',
  );
  e.headers = {
    'retry-after': String(retryAfterS),
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': `${retryAfterS}s`,
  };
  return e;
}

export function serverError(): OpenAiError {
  return error(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
}

export function invalidJson(): OpenAiError {
  return error(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
      'The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, ' +
      'please contact us through our help center at help.openai.com.)',
    'invalid_request_error',
    null,
  );
}

export function missingParameter(param: string): OpenAiError {
  return error(400, `Missing required parameter: '${param}'.`, 'invalid_request_error', 'missing_required_parameter', param);
}

export function invalidUrl(method: string, path: string): OpenAiError {
  return error(404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null);
}

export function bodyTooLarge(): OpenAiError {
  return error(413, 'Request body too large.', 'invalid_request_error', null);
}
