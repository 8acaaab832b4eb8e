// Type definitions for keryx. Every function that can fail rejects or throws a KeryxError whose
// `code` is one of `ErrorCode`; docs/errors.md says what each means and what to do.

/** ErrorCode: the stable error codes (frozen: never renamed or reused). */
export type ErrorCode =
  | 'invalid_argument' | 'internal' | 'io_error' | 'network_error' | 'timeout' | 'tls_error'
  | 'http_status' | 'response_too_large' | 'json_invalid' | 'platform_rejected' | 'state_mismatch'
  | 'missing_code' | 'port_range_busy' | 'port_in_use' | 'bind_failed' | 'redirect_invalid'
  | 'capture_timeout' | 'cancelled' | 'paste_invalid' | 'already_finished' | 'token_expired'
  | 'token_revoked' | 'vault_corrupt' | 'crypto_error' | 'not_found' | 'insecure_permissions' | 'lock_timeout' | 'vault_wrong_key' | 'vault_truncated' | 'vault_rollback' | 'vault_format_unsupported' | 'keychain_unavailable' | 'keychain_locked' | 'config_invalid' | 'secret_in_config' | 'vault_key_missing'
  | 'prerequisite_missing' | 'pending_auth_missing' | 'scope_missing' | 'discovery_failed'
  | 'rotation_lost' | 'holder_mismatch' | 'refresh_too_early'
  | 'addon_missing' | 'usage';

/** KeryxError: the one error class keryx throws. Its message and details never hold a secret. */
export class KeryxError extends Error {
  readonly name: 'KeryxError';
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> });
}

/** codes: every ErrorCode by constant name, e.g. `codes.STATE_MISMATCH === 'state_mismatch'`. */
export const codes: Readonly<Record<string, ErrorCode>>;

/** version: the package version. */
export const version: string;

/** PkceMethod: 'S256' (RFC 7636 §4.2), 'S256-hex' (TikTok desktop: hex SHA-256), 'plain'. */
export type PkceMethod = 'S256' | 'S256-hex' | 'plain';

/** PkcePair: a verifier (secret until the code exchange: never log it) and its challenge. */
export interface PkcePair {
  method: PkceMethod;
  /** challengeMethod: the `code_challenge_method` to send ('S256' for both SHA-256 variants). */
  challengeMethod: 'S256' | 'plain';
  verifier: string;
  challenge: string;
}

export namespace pkce {
  /** create: a fresh verifier of `length` (43-128, default 64) unreserved characters and its challenge. */
  function create(options?: { method?: PkceMethod; length?: number }): PkcePair;
  /** challenge: the challenge of an existing verifier (validated: 43-128 unreserved characters). */
  function challenge(verifier: string, method?: PkceMethod): string;
  /** state: a fresh OAuth state: 256 random bits, base64url (43 characters). */
  function state(): string;
  const METHODS: readonly PkceMethod[];
}

/** CaptureOptions: how the authorization code is received. */
export interface CaptureOptions {
  /**
   * mode: 'http' (loopback 127.0.0.1, ephemeral port; Google, TikTok, LinkedIn), 'https-range'
   * (first free port of rangeFirst-rangeLast, default Meta's 3764-3769, in-memory self-signed
   * certificate), or 'pinned' (exactly `redirectUri`; paste only when its host is not this machine).
   */
  mode?: 'http' | 'https-range' | 'pinned';
  /** path: the callback path (default '/'), e.g. '/callback/' for TikTok. */
  path?: string;
  /** host: http mode: '127.0.0.1' (default) or 'localhost' (binds 127.0.0.1 and ::1 on one port). */
  host?: string;
  rangeFirst?: number;
  rangeLast?: number;
  /** listen: https-range: 'all' interfaces, IPv4 and IPv6 (default), or 'loopback' only. */
  listen?: 'all' | 'loopback';
  /** redirectUri: pinned mode: the registered redirect URI to bind exactly. */
  redirectUri?: string;
  /** state: the flow's state (default: a fresh pkce.state()). */
  state?: string;
  /** timeoutMs: how long to wait for the code (default 300000). */
  timeoutMs?: number;
  /** readTimeoutMs: per-receive timeout of each connection (default 5000). */
  readTimeoutMs?: number;
  /** maxConnections: connections handled at once (default 16; more wait in a queue). */
  maxConnections?: number;
  /** signal: aborting it ends the flow with `cancelled` and releases the port. */
  signal?: AbortSignal;
  /** appName: named on the browser's success and failure pages. */
  appName?: string;
  /** cert: the certificate's key type; 'rsa-2048' exists for benchmarks. */
  cert?: 'ecdsa-p256' | 'rsa-2048';
}

/** CaptureResult: the authorization code (secret: never print it) and where it came from. */
export interface CaptureResult {
  code: string;
  /** state: the flow's state, or '' when a bare code was pasted. */
  state: string;
  source: 'callback' | 'paste';
}

/** Capture: a bound, listening capture server (open the browser only after start() resolved). */
export interface Capture {
  /** redirectUri: what to send as redirect_uri, e.g. 'https://localhost:3764/'. */
  readonly redirectUri: string;
  readonly port: number;
  readonly tls: boolean;
  /** pasteOnly: nothing listens (a public pinned redirect); the code can only be pasted. */
  readonly pasteOnly: boolean;
  /** certPem: the run's self-signed certificate (public), '' for http. */
  readonly certPem: string;
  /** boundAddresses: e.g. ['127.0.0.1'], ['127.0.0.1', '::1'] or ['::'] (all interfaces). */
  readonly boundAddresses: readonly string[];
  /** skippedPorts: range ports that were busy. */
  readonly skippedPorts: readonly number[];
  readonly state: string;
  /** result: the first of callback and paste; rejects with platform_rejected, capture_timeout or cancelled. */
  readonly result: Promise<CaptureResult>;
  /** offer: a pasted code, redirected URL or query; null if it decided the flow, else why it was refused. */
  offer(text: string): KeryxError | null;
  /** cancel: ends the flow with `cancelled` (no effect once it has a result). */
  cancel(): void;
  /** close: stops the server, ends lingering connections and releases the port (idempotent). */
  close(): Promise<void>;
}

export namespace capture {
  /** start: binds and starts the capture; rejects with port_range_busy, port_in_use, bind_failed, redirect_invalid. */
  function start(options?: CaptureOptions): Promise<Capture>;
  const DEFAULT_TIMEOUT_MS: number;
}

export namespace browser {
  /** open: opens `url` without a shell ($BROWSER, open, rundll32, xdg-open, wslview); never rejects. */
  function open(url: string, options?: { platform?: string; env?: Record<string, string | undefined> }):
    Promise<{ opened: true; via: string } | { opened: false; tried: { command: string; reason: string }[] }>;
  /** commandsFor: the [file, args] candidates open() tries, in order. */
  function commandsFor(url: string, options?: { platform?: string; env?: Record<string, string | undefined> }): [string, string[]][];
}

/** HttpOptions: one HTTP(S) request. TLS is always verified; `caFile` adds a CA (tests only). */
export interface HttpOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  /** form: sent as application/x-www-form-urlencoded (values may be secrets; keryx wipes its copy). */
  form?: Record<string, string>;
  /** json: a JSON string, or a value to stringify; sent as application/json. */
  json?: unknown;
  body?: string | Uint8Array;
  /** connectTimeoutMs: default 10000. timeoutMs: the whole request, default 30000. */
  connectTimeoutMs?: number;
  timeoutMs?: number;
  /** maxBytes: the response body cap (default 1 MiB); more gives response_too_large. */
  maxBytes?: number;
  caFile?: string;
  /** followRedirects: false (default), true (up to 5) or a count up to 20; https never downgrades. */
  followRedirects?: boolean | number;
}

/** HttpResponse: any status is a response; lowercased header names (set-cookie as an array). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

export namespace http {
  /** request: performs the request off the JS thread; rejects with timeout, tls_error, network_error, response_too_large, invalid_argument. */
  function request(options: HttpOptions): Promise<HttpResponse>;
  /** json: request() plus JSON.parse of the body as `data`; json_invalid when it is not JSON. */
  function json(options: HttpOptions): Promise<HttpResponse & { data: unknown }>;
}

/** Paths: where keryx keeps its files (KERYX_HOME, KERYX_CONFIG, KERYX_VAULT, KERYX_VAULT_KEY_FILE, XDG dirs). */
export interface Paths {
  configDir: string;
  dataDir: string;
  configFile: string;
  vault: string;
  keyFile: string;
  installId: string;
}
/** paths: every keryx file location for `env` (default process.env). */
export function paths(env?: Record<string, string | undefined>): Paths;

/** KeyProvider: what protects the vault key. */
export type KeyProvider = 'env' | 'keychain' | 'passphrase' | 'key_file';

/** TokenRecordInput: what store.put() takes. Times are Unix seconds (0 or absent: unknown). */
export interface TokenRecordInput {
  platform: string;
  account: string;
  accessToken?: string;
  refreshToken?: string;
  tokenType?: string;
  scopes?: string[];
  obtainedAt?: number;
  expiresAt?: number;
  refreshExpiresAt?: number;
  isDefault?: boolean;
  metadata?: Record<string, string>;
}

/** TokenSummary: a stored record without its tokens (store.list()). */
export interface TokenSummary {
  platform: string;
  account: string;
  hasAccessToken: boolean;
  hasRefreshToken: boolean;
  tokenType: string;
  scopes: string[];
  obtainedAt: number;
  expiresAt: number;
  refreshExpiresAt: number;
  isDefault: boolean;
  metadata: Record<string, string>;
}

/** StoredToken: a record with its tokens (secrets: never print them). */
export interface StoredToken extends TokenSummary {
  accessToken: string;
  refreshToken?: string;
  source: 'vault';
  keyProvider: KeyProvider;
}

/** EnvToken: a token taken from the environment, which overrides the vault. */
export interface EnvToken {
  platform: string;
  account: string;
  source: 'env';
  vars: string[];
  accessToken?: string;
  refreshToken?: string;
}

/** StoreOptions: overrides of the default locations and key sources (tests, tools). */
export interface StoreOptions {
  vaultPath?: string;
  keyFilePath?: string;
  installIdPath?: string;
  keychain?: boolean;
  keychainTimeoutMs?: number;
  envKey?: string;
  passphrase?: string;
  lockTimeoutMs?: number;
}

/** KeryxStore: the encrypted token vault (keryx.store). */
export interface KeryxStore {
  /** info: the vault and what protects it; never fails for a missing key (see `problem`). */
  info(options?: StoreOptions): Promise<{
    vaultPath: string; keyFilePath: string; vaultExists: boolean; keyAvailable: boolean; keyProvider: KeyProvider | null;
    skipped: { provider: KeyProvider; code: ErrorCode; message: string }[];
    problem: { code: ErrorCode; message: string } | null; generation: number; records: number;
  }>;
  /** list: every record, without tokens. */
  list(options?: StoreOptions): Promise<TokenSummary[]>;
  /** get: one record with its tokens; not_found when none. */
  get(platform: string, options?: StoreOptions & { account?: string }): Promise<StoredToken>;
  /** put: stores a record durably (0600, fsync, atomic, under a cross-process lock). */
  put(record: TokenRecordInput, options?: StoreOptions): Promise<{ keyProvider: KeyProvider; keyCreated: boolean; skipped: { provider: KeyProvider; code: ErrorCode; message: string }[] }>;
  /** putMany: many records in one locked update (one generation); nothing is written if one is invalid. */
  putMany(records: TokenRecordInput[], options?: StoreOptions): Promise<{ keyProvider: KeyProvider; keyCreated: boolean; skipped: { provider: KeyProvider; code: ErrorCode; message: string }[] }>;
  /** delete: removes a record; false when there was none. */
  delete(platform: string, options?: StoreOptions & { account?: string }): Promise<boolean>;
  /** resolve: the environment (`<PLATFORM>_ACCESS_TOKEN` / `_REFRESH_TOKEN`) first, then the vault. */
  resolve(platform: string, options?: StoreOptions & { account?: string; env?: Record<string, string | undefined> }): Promise<EnvToken | StoredToken>;
  /** envVarsFor: the override variable names for a platform. */
  envVarsFor(platform: string): { access: string; refresh: string };
}
export const store: KeryxStore;

export namespace config {
  /** path: the config file's path. */
  function path(): string;
  /** get: the value at a dotted key (undefined when unset). */
  function get(key: string, options?: { path?: string }): Promise<unknown>;
  /** getJson: the exact JSON text at a key (large ids stay exact). */
  function getJson(key: string, options?: { path?: string }): Promise<string | undefined>;
  /** set: stores a value; secret_in_config for secrets (use the env var the message names). */
  function set(key: string, value: unknown, options?: { path?: string }): Promise<void>;
  function setJson(key: string, json: string, options?: { path?: string }): Promise<void>;
  function unset(key: string, options?: { path?: string }): Promise<void>;
  /** list: every leaf as { key, value }. */
  function list(options?: { path?: string }): Promise<{ key: string; value: unknown }[]>;
  function isSecretKey(key: string): boolean;
  function secretEnvName(key: string): string;
}

/** PlatformEndpoints: absolute URLs; '' when the platform has no such endpoint. */
export interface PlatformEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  userinfoUrl: string;
  longLivedUrl: string;
  refreshUrl: string;
}

/** PlatformRecord: one platform as data (keryx.platforms.resolve returns it with overrides applied). */
export interface PlatformRecord {
  id: string;
  displayName: string;
  endpoints: PlatformEndpoints;
  clientIdParam: string;
  pkce: PkceMethod | null;
  redirectKind: 'https-range' | 'loopback' | 'pinned';
  redirectPath: string;
  defaultRedirect: string;
  scopes: string[];
  scopeSeparator: string;
  extraAuthorizeParams: Record<string, string>;
  clientAuth: 'post' | 'basic' | 'none';
  tokenShape: 'long_lived_refreshable' | 'non_rotating_refresh' | 'rotating_refresh' | 'no_refresh';
  dialect: 'standard' | 'instagram' | 'tiktok';
  checkGrantedScopes: boolean;
  clientIdKey: string;
  clientSecretEnv: string;
}

export interface ResolvedPlatform {
  record: PlatformRecord;
  clientId: string;
  /** the client secret from the environment: a secret, never print it */
  clientSecret: string;
  sandbox: string | null;
  builtin: boolean;
}

export namespace platforms {
  /** resolve: the record with config overrides, credentials and prerequisites checked. */
  function resolve(id: string, options?: { sandbox?: string; configPath?: string; timeoutMs?: number; requireSecret?: boolean; env?: Record<string, string | undefined> }): Promise<ResolvedPlatform>;
  /** builtinIds: instagram, youtube, tiktok, linkedin. */
  function builtinIds(): string[];
}

/** AuthorizeContext: handed to onAuthorize once the callback is bound. */
export interface AuthorizeContext {
  /** the authorize URL to open (it carries the state, which is not a secret) */
  url: string;
  platform: string;
  displayName: string;
  redirectUri: string;
  port: number;
  tls: boolean;
  pasteOnly: boolean;
  boundAddresses: string[];
  skippedPorts: number[];
  certPem: string;
  /** when the wait ends (ms since the epoch) */
  expiresAt: number;
  /** offer pasted text (a code or the redirected URL); null when it decided the flow */
  offer(text: string): KeryxError | null;
  cancel(): void;
}

export interface AuthOptions {
  /** a keryx sandbox base URL (js/sandbox) instead of the real platform */
  sandbox?: string | null;
  /** exactly this redirect URI (registered with the platform) */
  redirect?: string;
  listen?: 'all' | 'loopback';
  timeoutMs?: number;
  /** file the token under this name instead of the platform's account id */
  account?: string;
  scopes?: string[];
  signal?: AbortSignal;
  configPath?: string;
  storeOptions?: StoreOptions;
  onAuthorize?(context: AuthorizeContext): void | Promise<void>;
}

/** AuthSummary: what a successful authorization stored. Never holds a token. */
export interface AuthSummary {
  platform: string;
  account: string;
  /** non-secret facts the platform told (user_id, open_id, channel_id, author_urn, sub, ...) */
  fields: Record<string, string>;
  /** what was written to the config file under platforms.<platform> */
  config: Record<string, string | boolean>;
  scopes: string[];
  tokenType: string;
  expiresAt: number | null;
  refreshExpiresAt: number | null;
  hasRefreshToken: boolean;
  tokenShape: PlatformRecord['tokenShape'];
  redirectUri: string;
  sandbox: string | null;
  /** which key provider protects the vault the token went to */
  keyProvider: KeyProvider;
  source: 'callback' | 'paste' | 'code';
}

/** auth: the interactive authorization-code flow: callback or paste, exchange, store, config. */
export function auth(platform: string, options?: AuthOptions): Promise<AuthSummary>;
/** authWithCode: finishes the pending authorization with a pasted code or redirected URL. */
export function authWithCode(platform: string, codeOrUrl: string, options?: AuthOptions): Promise<AuthSummary>;
/** refresh: one refresh of a stored account, written to the vault before it resolves. */
export function refresh(platform: string, options?: { account?: string; storeOptions?: StoreOptions; timeoutMs?: number }): Promise<{ platform: string; account: string; expiresAt: number | null; rotated: boolean }>;

/**
 * LifecyclePolicy: when tokens are refreshed and alerted on (config `lifecycle.*`, per platform
 * `platforms.<p>.lifecycle.*`, or these options; docs/lifecycle.md).
 */
export interface LifecyclePolicy {
  /** an access token counts as expiring this long before its expiry (default 300) */
  skewSeconds?: number;
  /** long-lived tokens (Instagram) are not refreshed younger than this (default 86400) */
  minRefreshAgeSeconds?: number;
  /** alert this long before an expiry no refresh can extend (default 604800: 7 days) */
  alertBeforeSeconds?: number;
  /** refresh a long-lived token once this share of its life is left (default 0.5; between 0 and 1) */
  longLivedRefreshFraction?: number;
  /** a rotating token (TikTok) mints a new access token on every use (default true) */
  mintOnUse?: boolean;
}

/** KeryxEventName: what keryx.events (and a TokenSource) emit; every one is also emitted as 'event'. */
export type KeryxEventName =
  | 'token.refreshed' | 'token.expiring' | 'token.revoked' | 'token.refresh_failed' | 'rotation_lost' | 'token.persist_failed';

/** KeryxEvent: an event payload: plain data, never a token. Times are ISO 8601 strings. */
export interface KeryxEvent {
  event: KeryxEventName;
  /** when it was emitted */
  at: string;
  platform: string;
  account: string | null;
  /** the expiry the event is about (token.expiring: the one no refresh can extend) */
  expiresAt: string | null;
  /** the policy's reason word (due, expiring, forced, mint_on_use, refresh_token_expiring, ...) */
  reason?: string;
  code?: ErrorCode;
  message?: string;
  /** token.refreshed: a new refresh token was stored */
  rotated?: boolean;
  /** token.persist_failed: 'critical' */
  severity?: 'critical';
  /** the command that repairs it, e.g. 'keryx auth linkedin' */
  command?: string;
  expiringAt?: string | null;
  /** 'env' when the token came from <PLATFORM>_REFRESH_TOKEN */
  source?: 'env';
}

/** KeryxEmitter: the listener side of an event emitter carrying KeryxEvents (a Node EventEmitter). */
export interface KeryxEmitter {
  on(event: KeryxEventName | 'event', listener: (payload: KeryxEvent) => void): this;
  once(event: KeryxEventName | 'event', listener: (payload: KeryxEvent) => void): this;
  off(event: KeryxEventName | 'event', listener: (payload: KeryxEvent) => void): this;
  removeListener(event: KeryxEventName | 'event', listener: (payload: KeryxEvent) => void): this;
  removeAllListeners(event?: KeryxEventName | 'event'): this;
}

/** events: where the token lifecycle reports what happened (token.refreshed, token.expiring, ...). */
export const events: KeryxEmitter;

/** TokenSourceOptions: which account, and how its token is kept fresh. */
export interface TokenSourceOptions {
  /** the account (default: the platform's default account) */
  account?: string;
  /** where <PLATFORM>_ACCESS_TOKEN / _REFRESH_TOKEN are read (default process.env) */
  env?: Record<string, string | undefined>;
  /** the clock in Unix seconds, or a function giving it (default: the system clock; the sandbox's for sandbox accounts) */
  now?: number | (() => number | Promise<number>);
  policy?: LifecyclePolicy;
  /** refresh a rotating token held by another install, making this install its holder */
  takeOver?: boolean;
  /** let a rotating <PLATFORM>_REFRESH_TOKEN be refreshed, the rotated one kept in memory only */
  allowEnvRotation?: boolean;
  storeOptions?: StoreOptions;
  timeoutMs?: number;
  configPath?: string;
}

/** AccessToken: what getToken() resolves: a secret, never print it. */
export interface AccessToken {
  accessToken: string;
  tokenType: string;
  /** Unix seconds, or null when unknown */
  expiresAt: number | null;
  platform: string;
  account: string | null;
  source: 'env' | 'vault';
  /** source 'env': the variables used */
  vars?: string[];
}

/** TokenSource: a usable token on demand: the environment first, else the vault, refreshed and stored as needed. */
export interface TokenSource extends KeryxEmitter {
  readonly platform: string;
  /** getToken: the token and its facts; rejects with token_revoked, rotation_lost, holder_mismatch, not_found, ... */
  getToken(): Promise<AccessToken>;
  /** getAccessToken: the access token string alone. */
  getAccessToken(): Promise<string>;
}

/** tokenSource: a TokenSource for `platform` (events go to it and to keryx.events). */
export function tokenSource(platform: string, options?: TokenSourceOptions): TokenSource;
/** getAccessToken: a usable access token for `platform` (one shared source per platform, account and options). */
export function getAccessToken(platform: string, options?: TokenSourceOptions): Promise<string>;

/** UpkeepStatus: the outcome of one account in refreshDue (the last four are failures). */
export type UpkeepStatus = 'refreshed' | 'ok' | 'too_early' | 'expiring' | 'expired' | 'revoked' | 'rotation_lost' | 'failed';

/** UpkeepResult: one account's outcome. Times are Unix seconds, judged by `now`. Never holds a token. */
export interface UpkeepResult {
  platform: string;
  account: string;
  status: UpkeepStatus;
  /** the policy's reason word (not_due, due, forced, valid, expiring, ...) */
  reason?: string;
  shape?: PlatformRecord['tokenShape'];
  expiresAt?: number | null;
  /** when the next scheduled refresh is due (null: it cannot be refreshed) */
  refreshAt?: number | null;
  /** the clock the account was judged by (the sandbox's for sandbox accounts) */
  now?: number;
  /** refreshed: a new refresh token was stored */
  rotated?: boolean;
  /** refreshed: false when the vault write failed (critical; token.persist_failed was emitted) */
  persisted?: boolean;
  /** refreshed: an earlier interrupted refresh was found and this one completed it */
  recovered?: boolean;
  /** too_early: the first moment the platform accepts a refresh */
  notBefore?: number | null;
  /** expiring (or refreshed with a refresh token running out): the expiry no refresh can extend */
  expiringAt?: number | null;
  expiring?: boolean;
  /** failures and too_early: the error's code and message */
  code?: ErrorCode;
  message?: string;
}

export interface RefreshDueOptions {
  /** only this platform's accounts */
  platform?: string;
  /** only this account */
  account?: string;
  /** refresh now even when not due, as far as each platform allows */
  force?: boolean;
  takeOver?: boolean;
  now?: number | (() => number | Promise<number>);
  policy?: LifecyclePolicy;
  storeOptions?: StoreOptions;
  configPath?: string;
  env?: Record<string, string | undefined>;
  /** accounts handled at once (default 4) */
  concurrency?: number;
  timeoutMs?: number;
  /** an extra emitter the events also go to (a Node EventEmitter) */
  emitter?: { emit(event: string, payload: KeryxEvent): unknown };
}

/** refreshDue: upkeep of the stored accounts (what `keryx auth refresh` runs); one account's failure never stops the others. */
export function refreshDue(options?: RefreshDueOptions): Promise<{ results: UpkeepResult[]; failed: number }>;

/** SandboxKnobs: test controls of the emulator (see docs/sandbox.md). */
export type SandboxKnobs = Record<string, unknown>;

/** SandboxSeedOptions: what Sandbox.seed makes (docs/sandbox.md, "Seeded accounts"). */
export interface SandboxSeedOptions {
  /** how many accounts, 1 to 5000 (default 1, or userIds.length) */
  count?: number;
  /** the granted scopes (default: the scopes keryx asks for on that platform) */
  scopes?: string[];
  /** each account's user: a known id gets a further grant, a new id becomes a new user */
  userIds?: string[];
}

/** SandboxSeededAccount: one seeded account. It holds live tokens: keep it out of logs. */
export interface SandboxSeededAccount {
  /** the id the sandbox files the user under (refresh state and revokeUser take it) */
  userId: string;
  /** what keryx stores as the account: Instagram user_id, YouTube channel id, TikTok open_id, LinkedIn sub */
  accountId: string;
  accessToken: string;
  /** null on Instagram (the long-lived token renews itself) and on LinkedIn without linkedinRefresh */
  refreshToken: string | null;
  /** seconds */
  expiresIn: number;
  /** seconds; null when there is no refresh token or it never expires */
  refreshExpiresIn: number | null;
  scopes: string[];
  /** Unix seconds on the sandbox clock */
  obtainedAt: number;
}

/** SandboxRefreshState: the user's live refresh credential, by hash only, and its counters. */
export interface SandboxRefreshState {
  userId: string;
  /** lowercase hex SHA-256 of the live refresh credential, or null when there is none */
  currentRefreshSha256: string | null;
  /** refreshes that replaced the credential (TikTok, Instagram) */
  rotations: number;
  /** successful refreshes */
  refreshes: number;
}

/** SandboxRequestLogEntry: one answered request; `error` etc. only on refused OAuth requests. */
export interface SandboxRequestLogEntry {
  platform: string | null;
  endpoint: string | null;
  method: string;
  /** 0 for a request left hanging by a forced failure */
  status: number;
  /** ms, sandbox clock */
  at: number;
  error?: string;
  errorCode?: number;
  errorSubcode?: number;
}

export interface Sandbox {
  /** http://127.0.0.1:<port>, no trailing slash */
  url: string;
  port: number;
  knobs: SandboxKnobs;
  setKnobs(partial: SandboxKnobs): void;
  clock: { now(): number; advance(seconds: number): void };
  close(): Promise<void>;
  /** the last 10,000 requests, newest last */
  requests: SandboxRequestLogEntry[];
  /** requests since the start and refused OAuth requests per '<platform>.<endpoint>' and error */
  requestSummary(): { total: number; kept: number; limit: number; errors: Record<string, Record<string, number>> };
  tokens: {
    isValid(platform: string, accessToken: string): boolean;
    currentRefreshToken(platform: string, userId: string): string | null;
    rotations(platform: string, userId: string): number;
    refreshes(platform: string, userId: string): number;
    refreshState(platform: string, userId: string): SandboxRefreshState;
  };
  /** seed: accounts holding the tokens a finished authorization leaves, without a browser */
  seed(platform: string, options?: SandboxSeedOptions): { accounts: SandboxSeededAccount[] };
  /** revokeUser: the user (or, without userId, every user) removes the app on the platform */
  revokeUser(platform: string, userId?: string | null): { revokedGrants: number };
}

export namespace sandbox {
  function startSandbox(options?: { port?: number; host?: string; autoApprove?: boolean; knobs?: SandboxKnobs }): Promise<Sandbox>;
}
